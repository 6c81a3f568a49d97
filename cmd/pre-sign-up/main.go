// Command pre-sign-up is the PreSignUp Lambda trigger. It makes no AWS
// call, so it loads no AWS configuration.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
)

func main() {
	s, err := triggers.PreSignUpFromEnv(os.Getenv)
	log := lambdainit.Start(s.LogLevel, err)
	env := triggers.Env{Log: log, Metrics: metrics.NewEMF(os.Stdout, nil)}
	lambda.StartHandlerFunc(presignup.New(s.Phone, env).Handle)
}
