// Package awsinit builds the AWS configuration for the functions that call
// AWS (Create, Verify, PostAuthentication, the worker, the custom SMS
// sender, sms-receipts) from the environment Lambda gives every function.
// Define and PreSignUp never import it. It builds no service client: each
// main builds the ones its function calls.
//
// It does not use the SDK's config package on purpose. LoadDefaultConfig
// links the SSO, SSO OIDC, STS and sign-in clients for credential sources
// a Lambda function never has (profiles, SSO, web identity, role chaining),
// 2.0 to 2.4 MB of every binary, and reads shared config files that do not
// exist there. Lambda puts the role's credentials and the region in
// environment variables; that is all this package reads (see Load).
package awsinit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
)

// Start is the first step of every main that calls AWS, after reading its
// settings: lambdainit.Start (the logger, or a ConfigInvalid init error
// when err is not nil), then Load, ending the start-up as a
// DependencyFailed init error when the configuration or credentials fail.
func Start(ctx context.Context, level slog.Level, err error) (*slog.Logger, aws.Config) {
	log := lambdainit.Start(level, err)
	cfg, err := Load(ctx)
	lambdainit.Check(log, lambdainit.DependencyFailed, err)
	return log, cfg
}

// sdkMaxBackoff bounds the pause before that retry. The SDK's own pause is
// a random share of 2 s for a first retry: 1 s on average of Cognito's 5 s,
// and more than the 500 ms a failed Create has to void its challenge
// (handlerenv.VoidBudget), which faults.TestCreateUnderFaults caught.
const sdkMaxBackoff = 200 * time.Millisecond

// Retryer is the retry policy of every AWS client the functions build:
// sdkAttempts attempts, a pause drawn from [0, sdkMaxBackoff), and the
// SDK's retryable errors plus an answer cut short. The SDK does not retry
// that one, since the request may have been applied; every write of ours
// already bears being applied twice, as a retry after a lost answer does
// (request tokens, conditions that recognise our own write), so a retry
// turns a cut answer into a known outcome instead of an OTP_UNAVAILABLE.
func Retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = sdkAttempts
		o.MaxBackoff = sdkMaxBackoff
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
			return rand.N(sdkMaxBackoff), nil
		})
		o.Retryables = append(o.Retryables, retry.IsErrorRetryableFunc(cutShort))
	})
}

func cutShort(err error) aws.Ternary {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}
