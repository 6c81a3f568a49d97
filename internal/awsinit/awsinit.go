// Package awsinit loads the AWS configuration for the functions that call
// AWS (Create, Verify, PostAuthentication, the worker, the custom SMS
// sender, sms-receipts). Define and PreSignUp never import it. It builds no service client: each main builds
// the ones its function calls.
package awsinit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// Load loads the AWS configuration and checks for credentials. Endpoints
// can be pointed elsewhere with the SDK's own AWS_ENDPOINT_URL_DYNAMODB /
// _SQS / ... variables.
func Load(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryMaxAttempts(sdkAttempts))
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
