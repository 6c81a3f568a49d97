// Package awsinit loads the AWS configuration for the functions that call
// AWS (Create, Verify, PostAuthentication, the worker, the custom SMS
// sender, sms-receipts). Define and PreSignUp never import it. It builds no service client: each main builds
// the ones its function calls.
package awsinit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

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

// sdkAttempts bounds each AWS call: Cognito gives a trigger 5 s in all, so
// one retry fits and a third attempt would not.
const sdkAttempts = 2

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

// Load loads the AWS configuration and checks for credentials. Endpoints
// can be pointed elsewhere with the SDK's own AWS_ENDPOINT_URL_DYNAMODB /
// _SQS / ... variables.
func Load(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryer(Retryer))
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws configuration: %w", err)
	}
	// Without credentials every call would fail; say so at start, once.
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return aws.Config{}, fmt.Errorf("aws credentials: %w", err)
	}
	return cfg, nil
}
