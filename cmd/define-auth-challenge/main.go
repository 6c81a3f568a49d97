// Command define-auth-challenge is the DefineAuthChallenge Lambda trigger.
// It makes no AWS call and parses no phone number, so it links and loads
// neither: package define, the config reader and the init error report.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/define"
)

func main() {
	s, err := define.FromEnv(os.Getenv)
	log := lambdainit.Start(s.LogLevel, err)
	h, err := define.New(s.MaxAttempts, log)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	lambda.StartHandlerFunc(h.Handle)
}
