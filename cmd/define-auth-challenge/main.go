// Command define-auth-challenge is the DefineAuthChallenge Lambda trigger.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/app"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

func main() {
	d, err := app.Load(context.Background())
	if err != nil {
		app.Exit(d.Log, err)
	}
	h, err := triggers.NewDefine(d.Config.Triggers.Policy.MaxAttempts, d.Env())
	if err != nil {
		app.Exit(d.Log, err)
	}
	lambda.StartHandlerFunc(h.Handle)
}
