// Command pre-sign-up is the PreSignUp Lambda trigger. It makes no AWS
// call, so it loads no AWS configuration, and links none of the other
// triggers: package presignup, its settings and the handlers' shared Env.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
)

func main() {
	s, err := presignup.FromEnv(os.Getenv)
	log := lambdainit.Start(s.LogLevel, err)
	env := handlerenv.Env{Log: log, Metrics: metrics.NewEMF(os.Stdout, nil)}
	lambda.StartHandlerFunc(presignup.New(s.Phone, env).Handle)
}
