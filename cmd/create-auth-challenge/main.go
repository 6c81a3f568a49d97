// Command create-auth-challenge is the CreateAuthChallenge Lambda trigger.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

func main() {
	ctx := context.Background()
	s, err := triggers.CreateFromEnv(os.Getenv)
	log, aws := awsinit.Start(ctx, s.LogLevel, err)
	// Every cold start, so test numbers left on are seen in the logs.
	if w := s.Triggers.TestNumbersWarning(); w != "" {
		log.Warn(w, "var", triggers.EnvTestNumbers)
	}
	keys, err := secret.LoadKeysAWS(ctx, s.Secret, aws, log)
	lambdainit.Check(log, lambdainit.DependencyFailed, err)
	store, err := dynamo.New(dynamodb.NewFromConfig(aws), s.Table)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	q, err := queue.NewSQSJSON(awsjson.New(aws, awsjson.SQS), s.QueueURL)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	h, err := triggers.NewCreate(s.Triggers, store, q, keys, triggers.Env{Log: log, Metrics: metrics.NewEMF(os.Stdout, nil)})
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	lambda.StartHandlerFunc(h.Handle)
}
