// Command verify-auth-challenge is the VerifyAuthChallengeResponse Lambda trigger.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/verify"
)

func main() {
	ctx := context.Background()
	s, err := verify.FromEnv(os.Getenv)
	log, aws := awsinit.Start(ctx, s.LogLevel, err)
	keys, err := secret.LoadKeysAWS(ctx, s.Secret, aws, log)
	lambdainit.Check(log, lambdainit.DependencyFailed, err)
	store, err := dynamo.New(dynamodb.NewFromConfig(aws), s.Table)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	h, err := verify.New(s.Config, store, keys, handlerenv.Env{Log: log, Metrics: metrics.NewEMF(os.Stdout, nil)})
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	lambda.StartHandlerFunc(h.Handle)
}
