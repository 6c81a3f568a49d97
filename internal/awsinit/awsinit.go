// Package awsinit loads the AWS configuration for the functions that call
// AWS (Create, Verify, PostAuthentication, the worker). Define and
// PreSignUp never import it. It builds no service client: each main builds
// the ones its function calls.
package awsinit

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

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
