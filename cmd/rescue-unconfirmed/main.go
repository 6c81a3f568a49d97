// Command rescue-unconfirmed confirms users left UNCONFIRMED in a user pool
// that signs in by SMS code only, after checking that the pool offers no
// password path. It is a dry run unless -apply is given.
//
//	rescue-unconfirmed -pool-id us-east-1_AbC123 [-apply] [-region us-east-1] [-endpoint URL]
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, connectAWS)
	stop()
	os.Exit(code)
}

// connectAWS builds a Cognito client from the default AWS configuration
// chain, with region and endpoint overridden when set.
func connectAWS(ctx context.Context, region, endpoint string) (userpool.API, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("load AWS config: no region; set -region or AWS_REGION")
	}
	return cognitoidentityprovider.NewFromConfig(cfg, func(o *cognitoidentityprovider.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}
