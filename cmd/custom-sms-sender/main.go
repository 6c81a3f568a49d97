// Command custom-sms-sender is the user pool's Custom SMS Sender Lambda
// trigger: it decrypts Cognito's code with the pool's KMS key and enqueues
// it, sealed, for sms-worker. It links KMS, DynamoDB (send caps, records)
// and SQS; no SMS provider.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/customsms/esdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
)

func main() {
	ctx := context.Background()
	s, err := customsms.FromEnv(os.Getenv)
	log, aws := awsinit.Start(ctx, s.LogLevel, err)
	keys, err := secret.LoadKeysAWS(ctx, s.Secret, aws, log)
	lambdainit.Check(log, lambdainit.DependencyFailed, err)
	codes, err := esdk.New(ctx, kms.NewFromConfig(aws), s.KeyARN)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	store, err := dynamo.New(dynamodb.NewFromConfig(aws), s.Table)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	q, err := queue.NewSQSJSON(awsjson.New(aws, awsjson.SQS), s.QueueURL)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	h, err := customsms.New(s.Handler, codes, store, q, keys, customsms.Env{Log: log, Metrics: metrics.NewEMF(os.Stdout, nil)})
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	lambda.StartHandlerFunc(h.Handle)
}
