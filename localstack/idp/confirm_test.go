package idp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/idp"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

// sealer stands in for the Encryption SDK (localstack/confirm_test.go runs
// the real one against local-kms): it marks what it "encrypted" and for
// which pool, so the test can read the code back.
type sealer struct{}

func (sealer) Encrypt(_ context.Context, pt []byte, pool string) ([]byte, error) {
	return []byte("sealed:" + pool + ":" + string(pt)), nil
}

func unseal(t *testing.T, code string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(code)
	if err != nil {
		t.Fatalf("request.code %q is not base64: %v", code, err)
	}
	rest, ok := strings.CutPrefix(string(b), "sealed:"+poolID+":")
	if !ok {
		t.Fatalf("request.code %q was not encrypted for the pool", b)
	}
	return rest
}

func acceptSMS(_ context.Context, ev idp.CustomSMSEvent) (idp.CustomSMSEvent, error) { return ev, nil }

// confirmBySMS is a pool with AutoVerifiedAttributes phone_number and no
// PreSignUp: sign-ups stay unconfirmed and get a code.
func confirmBySMS(c *idp.Config) {
	c.AutoVerifyPhone, c.Codes = true, sealer{}
	c.Triggers.PreSignUp = nil
	c.Triggers.CustomSMSSender = acceptSMS
}

// The Custom SMS Sender's event has the fields and shape Cognito sends
// (customsms/testdata/events/SignUp.json), the code encrypted for the pool.
func TestCustomSMSSenderEvent(t *testing.T) {
	p := newPool(t, confirmBySMS)
	out, err := p.api.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), Password: aws.String(password),
		ClientMetadata: map[string]string{"app": "web"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserConfirmed {
		t.Fatal("confirmed at sign-up")
	}
	ev := p.calls.customSMS.last(t)
	code := unseal(t, ev.Request.Code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code %q: want 6 digits", code)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(out.UserSub)
	want := map[string]any{
		"version": "1", "triggerSource": "CustomSMSSender_SignUp", "region": region, "userPoolId": poolID, "userName": sub,
		"callerContext": map[string]any{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": clientID},
		"request": map[string]any{
			"type": "customSMSSenderRequestV1", "code": ev.Request.Code,
			"clientMetadata": map[string]any{"app": "web"},
			"userAttributes": map[string]any{
				"sub": sub, "phone_number": phoneAlice, "phone_number_verified": "false", "cognito:user_status": "UNCONFIRMED",
			},
		},
		"response": map[string]any{},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("event (-want +got):\n%s", d)
	}
	if testutil.HoldsCode(p.log.String(), code) {
		t.Errorf("the log holds the code:\n%s", p.log.String())
	}
	if _, err := p.api.ResendConfirmationCode(context.Background(), &cip.ResendConfirmationCodeInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice),
	}); err != nil {
		t.Fatal(err)
	}
	if ev := p.calls.customSMS.last(t); ev.TriggerSource != "CustomSMSSender_ResendCode" || ev.Request.ClientMetadata == nil {
		t.Errorf("resend: source %s, clientMetadata %v (want CustomSMSSender_ResendCode and {})", ev.TriggerSource, ev.Request.ClientMetadata)
	}
}

// A refusal of the custom sender reaches the client as Cognito reports a
// trigger's error; the user exists, unconfirmed, and may ask again.
func TestCustomSMSSenderRefuses(t *testing.T) {
	fail := true
	p := newPool(t, confirmBySMS, func(c *idp.Config) {
		c.Triggers.CustomSMSSender = func(_ context.Context, ev idp.CustomSMSEvent) (idp.CustomSMSEvent, error) {
			if fail {
				return ev, errors.New("custom SMS sender refused: RateLimited retryAfter=60")
			}
			return ev, nil
		}
	})
	_, err := p.api.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), Password: aws.String(password),
	})
	wantError[*types.UserLambdaValidationException](t, err, "CustomSMSSender failed with error custom SMS sender refused: RateLimited retryAfter=60.")
	if u := p.adminGetUser(t, phoneAlice); u.UserStatus != types.UserStatusTypeUnconfirmed {
		t.Fatalf("after the refusal: %s", u.UserStatus)
	}
	fail = false
	out, err := p.api.ResendConfirmationCode(context.Background(), &cip.ResendConfirmationCodeInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice),
	})
	if err != nil || aws.ToString(out.CodeDeliveryDetails.Destination) != "+*******0101" {
		t.Fatalf("resend: %v %+v", err, out)
	}
	code := unseal(t, p.calls.customSMS.last(t).Request.Code)
	if _, err := p.api.ConfirmSignUp(context.Background(), &cip.ConfirmSignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), ConfirmationCode: aws.String(code),
	}); err != nil {
		t.Fatal(err)
	}
}

func TestAutoVerifyPhoneNeedsTheSender(t *testing.T) {
	for name, c := range map[string]func(*idp.Config){
		"no trigger":   func(c *idp.Config) { confirmBySMS(c); c.Triggers.CustomSMSSender = nil },
		"no encrypter": func(c *idp.Config) { confirmBySMS(c); c.Codes = nil },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := idp.Config{PoolID: poolID, ClientID: clientID, Triggers: otpTriggers(), Tokens: newIssuerForTest(t)}
			c(&cfg)
			if _, err := idp.New(cfg); err == nil || !strings.Contains(err.Error(), "Custom SMS Sender") {
				t.Fatalf("idp.New: %v", err)
			}
		})
	}
}

func newIssuerForTest(t *testing.T) *tokens.Issuer {
	t.Helper()
	iss, err := tokens.NewIssuer("http://127.0.0.1:1/"+poolID, clientID, signingKey(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}
