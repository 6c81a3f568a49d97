// Command pre-sign-up is the PreSignUp Lambda trigger.
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
	lambda.StartHandlerFunc(triggers.NewPreSignUp(d.Config.Triggers.Phone, d.Env()).Handle)
}
