package idp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/jwttest"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/idp"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

// unauthorizedWrite is Cognito's message for an attribute outside the app
// client's WriteAttributes.
const unauthorizedWrite = "A client attempted to write unauthorized attribute"

// asDeployed is template.yaml's app client: only locale is writable.
func asDeployed(c *idp.Config) { c.WriteAttributes = []string{"locale"} }

func signUpWith(p *pool, phone string, attrs map[string]string) (*cip.SignUpOutput, error) {
	return p.api.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phone), Password: aws.String(password),
		UserAttributes: attributes(attrs),
	})
}

func TestSignUpWriteAttributes(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]string
		check func(*testing.T, error)
	}{
		// The documented sign-up: the username fills phone_number.
		{"username only", nil, nil},
		{"a writable attribute", map[string]string{"locale": "en-GB"}, nil},
		{"phone_number", map[string]string{"phone_number": phoneAlice}, isError[*types.NotAuthorizedException](unauthorizedWrite)},
		{"phone_number_verified", map[string]string{"phone_number_verified": "true"}, isError[*types.NotAuthorizedException](unauthorizedWrite)},
		{"one bad among good", map[string]string{"locale": "en-GB", "name": "Alice"}, isError[*types.NotAuthorizedException](unauthorizedWrite)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, asDeployed)
			out, err := signUpWith(p, phoneAlice, tt.attrs)
			if tt.check != nil {
				tt.check(t, err)
				if n := p.calls.count("PreSignUp"); n != 0 {
					t.Errorf("PreSignUp ran %d times for a refused sign-up", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			attrs := attributeMap(p.adminGetUser(t, phoneAlice).UserAttributes)
			if attrs["phone_number"] != phoneAlice || attrs["sub"] != aws.ToString(out.UserSub) {
				t.Errorf("attributes = %v, want phone_number %s from the username", attrs, phoneAlice)
			}
		})
	}
}

// Without WriteAttributes, Cognito lets a client write standard attributes
// but not the verified flags.
func TestSignUpDefaultWriteAttributes(t *testing.T) {
	p := newPool(t)
	if _, err := signUpWith(p, phoneAlice, map[string]string{"phone_number": phoneAlice}); err != nil {
		t.Fatalf("SignUp with phone_number and no WriteAttributes: %v", err)
	}
	_, err := signUpWith(p, phoneBob, map[string]string{"phone_number_verified": "true"})
	wantError[*types.NotAuthorizedException](t, err, unauthorizedWrite)
}

func updateOwn(p *pool, access string, attrs map[string]string) error {
	_, err := p.api.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(access), UserAttributes: attributes(attrs),
	})
	return err
}

// The takeover path: a signed-in user must not point their codes at another
// number with their own access token.
func TestUpdateUserAttributesCannotRewritePhone(t *testing.T) {
	for _, attrs := range []map[string]string{
		{"phone_number": phoneBob},
		{"phone_number": phoneBob, "phone_number_verified": "true"},
		{"phone_number_verified": "true"},
		{"locale": "de-DE", "phone_number": phoneBob},
	} {
		p := newPool(t, asDeployed)
		p.signUp(t, phoneAlice)
		tok := p.signIn(t, phoneAlice)
		err := updateOwn(p, aws.ToString(tok.AccessToken), attrs)
		wantError[*types.NotAuthorizedException](t, err, unauthorizedWrite)
		got := attributeMap(p.adminGetUser(t, phoneAlice).UserAttributes)
		if got["phone_number"] != phoneAlice || got["locale"] != "" {
			t.Errorf("after a refused update %v the user has %v", attrs, got)
		}
		// The codes still go to Alice's number, and Bob's is free.
		if _, ok := p.lookup(phoneBob); ok {
			t.Errorf("%s names a user after a refused update", phoneBob)
		}
	}
}

func (p *pool) lookup(phone string) (*cip.AdminGetUserOutput, bool) {
	out, err := p.api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(phone),
	})
	return out, err == nil
}

func TestUpdateUserAttributesWritable(t *testing.T) {
	p := newPool(t, asDeployed)
	p.signUp(t, phoneAlice)
	tok := p.signIn(t, phoneAlice)
	if err := updateOwn(p, aws.ToString(tok.AccessToken), map[string]string{"locale": "de-DE"}); err != nil {
		t.Fatalf("UpdateUserAttributes(locale): %v", err)
	}
	if got := attributeMap(p.adminGetUser(t, phoneAlice).UserAttributes)["locale"]; got != "de-DE" {
		t.Errorf("locale = %q, want de-DE", got)
	}
	err := updateOwn(p, "not-a-token", map[string]string{"locale": "fr-FR"})
	wantError[*types.NotAuthorizedException](t, err, "Invalid Access Token")
}

// A pool whose client may write phone_number (not template.yaml's) gets a
// new, unverified number: the local pool has no
// AttributesRequireVerificationBeforeUpdate.
func TestUpdateUserAttributesPhoneWritable(t *testing.T) {
	p := newPool(t, func(c *idp.Config) { c.WriteAttributes = []string{"phone_number", "locale"} })
	p.signUp(t, phoneAlice)
	p.signUp(t, phoneCarol)
	tok := p.signIn(t, phoneAlice)
	err := updateOwn(p, aws.ToString(tok.AccessToken), map[string]string{"phone_number": phoneCarol})
	wantError[*types.AliasExistsException](t, err, "")
	if err := updateOwn(p, aws.ToString(tok.AccessToken), map[string]string{"phone_number": phoneBob}); err != nil {
		t.Fatalf("UpdateUserAttributes(phone_number): %v", err)
	}
	got := attributeMap(p.adminGetUser(t, phoneBob).UserAttributes)
	if got["phone_number_verified"] != "false" {
		t.Errorf("new number's phone_number_verified = %q, want false", got["phone_number_verified"])
	}
}

func TestReadAttributes(t *testing.T) {
	p := newPool(t, asDeployed, func(c *idp.Config) { c.ReadAttributes = []string{"phone_number"} })
	if _, err := signUpWith(p, phoneAlice, map[string]string{"locale": "en-GB"}); err != nil {
		t.Fatal(err)
	}
	tok := p.signIn(t, phoneAlice)
	me, err := p.api.GetUser(context.Background(), &cip.GetUserInput{AccessToken: tok.AccessToken})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	got := attributeMap(me.UserAttributes)
	if got["phone_number"] != phoneAlice || got["sub"] == "" || got["locale"] != "" || got["phone_number_verified"] != "" {
		t.Errorf("GetUser attributes = %v, want sub and phone_number only", got)
	}
	claims := jwttest.Claims(t, aws.ToString(tok.IdToken))
	if claims["phone_number"] != phoneAlice || claims["locale"] != nil || claims["phone_number_verified"] != nil {
		t.Errorf("ID token claims = %v, want phone_number and no locale or phone_number_verified", claims)
	}
	// Admin reads are not the app client's: everything is there.
	if all := attributeMap(p.adminGetUser(t, phoneAlice).UserAttributes); all["locale"] != "en-GB" {
		t.Errorf("AdminGetUser attributes = %v, want locale", all)
	}
}

func TestExplicitAuthFlows(t *testing.T) {
	p := newPool(t, func(c *idp.Config) { c.AuthFlows = []string{idp.AuthFlowCustom} })
	p.signUp(t, phoneAlice)
	tok := p.signIn(t, phoneAlice)
	_, err := p.refresh(aws.ToString(tok.RefreshToken))
	wantError[*types.InvalidParameterException](t, err, "REFRESH_TOKEN_AUTH flow not enabled for this client")
	_, err = p.api.GetTokensFromRefreshToken(context.Background(), &cip.GetTokensFromRefreshTokenInput{
		ClientId: aws.String(clientID), RefreshToken: tok.RefreshToken,
	})
	wantError[*types.InvalidParameterException](t, err, "REFRESH_TOKEN_AUTH flow not enabled for this client")

	q := newPool(t, func(c *idp.Config) { c.AuthFlows = []string{idp.AuthFlowRefresh} })
	_, err = q.initiateErr(phoneAlice, nil)
	wantError[*types.InvalidParameterException](t, err, "CUSTOM_AUTH flow not enabled for this client")
	_, err = q.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID),
		AuthParameters: map[string]string{"USERNAME": phoneAlice, "PASSWORD": password},
	})
	wantError[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH flow not enabled for this client")
}

func TestConfigRefusesFlowsItCannotServe(t *testing.T) {
	iss, err := tokens.NewIssuer("http://127.0.0.1:1/"+poolID, clientID, signingKey(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = idp.New(idp.Config{
		PoolID: poolID, ClientID: clientID, Tokens: iss, Triggers: otpTriggers(),
		AuthFlows: []string{idp.AuthFlowCustom, "ALLOW_USER_PASSWORD_AUTH"},
	})
	if err == nil || !strings.Contains(err.Error(), "ALLOW_USER_PASSWORD_AUTH") {
		t.Errorf("idp.New with ALLOW_USER_PASSWORD_AUTH = %v, want an error naming it", err)
	}
}
