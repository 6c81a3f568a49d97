package localstack_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

// The local stack runs PreSignUp beside Create, so it reads PreSignUp's
// OTP_ALLOW_VOIP though Create does not: a VoIP number signs up only with
// it on, and then signs in (Create checks the allow-list, not the type).
func TestAllowVoIP(t *testing.T) {
	const voip = "+445612345678" // a GB VoIP number (package phone's tests)
	tests := []struct {
		name   string
		env    map[string]string
		signUp bool
	}{
		{"off by default", nil, false},
		{"on", map[string]string{"OTP_ALLOW_VOIP": "true"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := start(t, backends[0], tt.env)
			_, err := l.cip.SignUp(context.Background(), &cip.SignUpInput{
				ClientId: aws.String(l.stack.ClientID()), Username: aws.String(voip),
				Password: aws.String("a-password-nobody-keeps-0123456789"),
			})
			if !tt.signUp {
				var lambda *types.UserLambdaValidationException
				if !errors.As(err, &lambda) || !strings.Contains(lambda.ErrorMessage(), "OTP_NUMBER_NOT_ALLOWED") {
					t.Fatalf("SignUp: %v, want PreSignUp's OTP_NUMBER_NOT_ALLOWED", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			l.mustInitiate(t, voip)
		})
	}
	t.Run("bad value", func(t *testing.T) {
		o := localstack.Options{Addr: "127.0.0.1:0", Outbox: "-", Getenv: func(k string) string {
			return map[string]string{"OTP_ALLOW_VOIP": "perhaps"}[k]
		}}
		if _, err := localstack.New(context.Background(), o); err == nil || !strings.Contains(err.Error(), "OTP_ALLOW_VOIP: ") {
			t.Fatalf("New: %v, want an error naming OTP_ALLOW_VOIP", err)
		}
	})
}
