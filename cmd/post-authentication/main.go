// Command post-authentication is the PostAuthentication Lambda trigger.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/app"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

func main() {
	d, err := app.Load(context.Background(), config.EnvTable)
	if err != nil {
		app.Exit(d.Log, err)
	}
	store, err := d.Store()
	if err != nil {
		app.Exit(d.Log, err)
	}
	pool := userpool.New(cognitoidentityprovider.NewFromConfig(d.AWS))
	h, err := triggers.NewPostAuthentication(pool, store, d.Config.Triggers.Deadline, d.Env())
	if err != nil {
		app.Exit(d.Log, err)
	}
	lambda.StartHandlerFunc(h.Handle)
}
