// Command post-authentication is the PostAuthentication Lambda trigger.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/postauth"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool/verified"
)

func main() {
	s, err := postauth.FromEnv(os.Getenv)
	log, aws := awsinit.Start(context.Background(), s.LogLevel, err)
	store, err := dynamo.New(dynamodb.NewFromConfig(aws), s.Table)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	pool := verified.New(awsjson.New(aws, awsjson.CognitoIdentityProvider))
	h, err := postauth.New(pool, store, s.Deadline, handlerenv.Env{Log: log, Metrics: metrics.NewEMF(os.Stdout, nil)})
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	lambda.StartHandlerFunc(h.Handle)
}
