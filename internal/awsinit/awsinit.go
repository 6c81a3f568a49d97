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
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

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
