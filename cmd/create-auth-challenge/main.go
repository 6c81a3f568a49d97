// Command create-auth-challenge is the CreateAuthChallenge Lambda trigger.
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
	d, err := app.Load(context.Background(), config.EnvTable, config.EnvQueueURL, config.EnvSecret)
	if err != nil {
		app.Exit(d.Log, err)
	}
	keys, kerr := d.Keys()
	store, serr := d.Store()
	q, qerr := d.Queue()
	if err := errors.Join(kerr, serr, qerr); err != nil {
		app.Exit(d.Log, err)
	}
	h, err := triggers.NewCreate(d.Config.Triggers, store, q, keys, d.Env())
	if err != nil {
		app.Exit(d.Log, err)
	}
	lambda.StartHandlerFunc(h.Handle)
}
