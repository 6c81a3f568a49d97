// Command verify-auth-challenge is the VerifyAuthChallengeResponse Lambda trigger.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/app"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

func main() {
	d, err := app.Load(context.Background(), config.EnvTable, config.EnvSecret)
	if err != nil {
		app.Exit(d.Log, err)
	}
	keys, kerr := d.Keys()
	store, serr := d.Store()
	if err := errors.Join(kerr, serr); err != nil {
		app.Exit(d.Log, err)
	}
	h, err := triggers.NewVerify(d.Config.Triggers, store, keys, d.Env())
	if err != nil {
		app.Exit(d.Log, err)
	}
	lambda.StartHandlerFunc(h.Handle)
}
