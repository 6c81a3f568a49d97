package localstack_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/jwttest"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

// The stack serves the pool settings it is given: the app client's
// attribute permissions, token validities and existence errors.
func TestStackServesPoolSettings(t *testing.T) {
	ps := localstack.DefaultPoolSettings()
	ps.AccessTokenValidity = 5 * time.Minute
	ps.IDTokenValidity = 10 * time.Minute
	ps.PreventUserExistenceErrors = "LEGACY"
	l := start(t, backends[0], nil, func(o *localstack.Options) { o.Pool = &ps })
	phone := number(t)

	// template.yaml's WriteAttributes: a sign-up sending phone_number is refused.
	_, err := l.cip.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(l.stack.ClientID()), Username: aws.String(phone),
		Password:       aws.String("a-password-nobody-keeps-0123456789"),
		UserAttributes: []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String(phone)}},
	})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) || na.ErrorMessage() != "A client attempted to write unauthorized attribute" {
		t.Fatalf("SignUp with phone_number = %v, want NotAuthorizedException", err)
	}
	l.signUp(t, phone)
	res := l.signIn(t, phone)
	if res.ExpiresIn != 300 {
		t.Errorf("ExpiresIn = %d, want 300 (AccessTokenValidity 5m)", res.ExpiresIn)
	}
	id := jwttest.Claims(t, aws.ToString(res.IdToken))
	if exp, iat := id["exp"].(float64), id["iat"].(float64); exp-iat != 600 {
		t.Errorf("ID token lives %v s, want 600 (IdTokenValidity 10m)", exp-iat)
	}
	// LEGACY: an unknown number is told so.
	if _, err := l.initiate(number(t) + "9"); err == nil || !strings.Contains(err.Error(), "UserNotFoundException") {
		t.Errorf("InitiateAuth for an unknown number with LEGACY = %v, want UserNotFoundException", err)
	}
}

// OTP_SESSION_VALIDITY follows AuthSessionValidity; a different one is
// refused by name rather than left to disagree with the pool.
func TestSessionValidityFollowsThePool(t *testing.T) {
	ps := localstack.DefaultPoolSettings()
	ps.AuthSessionValidity = 5 * time.Minute
	_, err := localstack.New(context.Background(), localstack.Options{
		Addr: "127.0.0.1:0", Outbox: "-", Pool: &ps,
		Getenv: func(k string) string {
			if k == "OTP_SESSION_VALIDITY" {
				return "3m"
			}
			return ""
		},
	})
	if err == nil || !strings.Contains(err.Error(), "OTP_SESSION_VALIDITY=3m differs from the app client's AuthSessionValidity 5m0s") {
		t.Errorf("New = %v, want the mismatch named", err)
	}
	bad := localstack.DefaultPoolSettings()
	bad.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH"}
	if _, err := localstack.New(context.Background(), localstack.Options{Addr: "127.0.0.1:0", Outbox: "-", Pool: &bad}); err == nil || !strings.Contains(err.Error(), "ALLOW_USER_SRP_AUTH") {
		t.Errorf("New with an SRP flow = %v, want it refused by name", err)
	}
}
