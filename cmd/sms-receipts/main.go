// Command sms-receipts takes SMS delivery receipts: Twilio status callbacks
// through its function URL and Amazon SNS delivery status logs through a
// CloudWatch Logs subscription, both applied to the DynamoDB delivery ledger.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
)

func main() {
	ctx := context.Background()
	s, err := receipts.SettingsFromEnv(os.Getenv)
	log, aws := awsinit.Start(ctx, s.LogLevel, err)
	tw := receipts.TwilioConfig{CallbackURL: s.CallbackURL}
	if s.CallbackURL != "" {
		tw.AuthToken, err = secret.LoadValueAWS(ctx, s.AuthTokenSecret, aws)
		lambdainit.Check(log, lambdainit.DependencyFailed, wrap(receipts.EnvAuthTokenSecret, err))
	}
	ledger, err := dynamo.NewLedger(dynamodb.NewFromConfig(aws), s.Table, s.Delivery)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	h, err := receipts.New(tw, ledger, receipts.Env{Log: log, Metrics: metrics.NewEMF(os.Stdout, nil)})
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	lambda.Start(h.Invoke)
}

func wrap(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}
