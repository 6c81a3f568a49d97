// Command post-authentication is the PostAuthentication Lambda trigger.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/app"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

func main() {
	d, err := app.Load(context.Background())
	if err != nil {
		app.Exit(d.Log, err)
	}
	pool := userpool.New(cognitoidentityprovider.NewFromConfig(d.AWS))
	h := triggers.NewPostAuthentication(pool, d.Config.Triggers.Deadline, d.Env())
	lambda.StartHandlerFunc(h.Handle)
}
