package idp_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Errors reach the SDK as its typed exceptions.
func TestErrorsAreTyped(t *testing.T) {
	ctx := context.Background()
	signUp := func(p *pool, username, pass string) error {
		_, err := p.api.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(clientID), Username: aws.String(username), Password: aws.String(pass),
		})
		return err
	}
	tests := []struct {
		name  string
		call  func(t *testing.T, p *pool) error
		check func(*testing.T, error)
	}{
		{
			name: "InitiateAuth with another app client",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
					AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String("someotherclient"),
					AuthParameters: map[string]string{"USERNAME": phoneAlice},
				})
				return err
			},
			check: isError[*types.ResourceNotFoundException](""),
		},
		{
			name: "SignUp with another app client",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.SignUp(ctx, &cip.SignUpInput{
					ClientId: aws.String("someotherclient"), Username: aws.String(phoneBob), Password: aws.String(password),
				})
				return err
			},
			check: isError[*types.ResourceNotFoundException](""),
		},
		{
			name: "AdminGetUser in another pool",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.AdminGetUser(ctx, &cip.AdminGetUserInput{
					UserPoolId: aws.String("us-east-1_Other"), Username: aws.String(phoneAlice),
				})
				return err
			},
			check: isError[*types.ResourceNotFoundException](""),
		},
		{
			name: "ListUsers in another pool",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_Other")})
				return err
			},
			check: isError[*types.ResourceNotFoundException](""),
		},
		{
			name: "InitiateAuth without USERNAME",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
					AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(clientID),
					AuthParameters: map[string]string{},
				})
				return err
			},
			check: isError[*types.InvalidParameterException](""),
		},
		{
			name: "InitiateAuth with a password flow",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
					AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID),
					AuthParameters: map[string]string{"USERNAME": phoneAlice, "PASSWORD": password},
				})
				return err
			},
			check: isError[*types.InvalidParameterException](""),
		},
		{
			name:  "SignUp with a username that is not a phone number",
			call:  func(t *testing.T, p *pool) error { return signUp(p, "alice", password) },
			check: isError[*types.InvalidParameterException](""),
		},
		{
			name:  "SignUp with a taken phone number",
			call:  func(t *testing.T, p *pool) error { return signUp(p, phoneAlice, password) },
			check: isError[*types.UsernameExistsException](""),
		},
		{
			name:  "SignUp with a short password",
			call:  func(t *testing.T, p *pool) error { return signUp(p, phoneBob, shortPass) },
			check: isError[*types.InvalidPasswordException](""),
		},
		{
			name: "SignUp with a password one short of the policy",
			call: func(t *testing.T, p *pool) error {
				return signUp(p, phoneBob, "fifteen chars!!")
			},
			check: isError[*types.InvalidPasswordException](""),
		},
		{
			name: "SignUp with a phone_number attribute that is not the username",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.SignUp(ctx, &cip.SignUpInput{
					ClientId: aws.String(clientID), Username: aws.String(phoneBob), Password: aws.String(password),
					UserAttributes: attributes(map[string]string{"phone_number": phoneCarol}),
				})
				return err
			},
			check: isError[*types.InvalidParameterException](""),
		},
		{
			name: "AdminCreateUser with a taken phone number",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneAlice)})
				return err
			},
			check: isError[*types.UsernameExistsException](""),
		},
		{
			name: "ListUsers over the maximum Limit",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(61)})
				return err
			},
			check: isError[*types.InvalidParameterException](""),
		},
		{
			name: "GetUser with a token that is not one",
			call: func(t *testing.T, p *pool) error {
				_, err := p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String("e30.e30.c2ln")})
				return err
			},
			check: isError[*types.NotAuthorizedException](""),
		},
		{
			name: "RevokeToken with an access token",
			call: func(t *testing.T, p *pool) error {
				tok := p.signIn(t, phoneAlice)
				_, err := p.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: tok.AccessToken})
				return err
			},
			check: isError[*types.UnsupportedTokenTypeException](""),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t)
			p.signUp(t, phoneAlice)
			tt.check(t, tt.call(t, p))
		})
	}
	t.Run("exactly the minimum length", func(t *testing.T) {
		p := newPool(t)
		if err := signUp(p, phoneBob, "sixteen chars!!!"); err != nil {
			t.Errorf("SignUp with a %d-character password: %v", minPassword, err)
		}
	})
}

// What the SDK never sends: the protocol errors, seen over raw HTTP.
func TestProtocolErrors(t *testing.T) {
	const json11 = "application/x-amz-json-1.1"
	tests := []struct {
		name        string
		target      string
		contentType string
		body        string
		wantType    string
	}{
		{"unknown operation", "AWSCognitoIdentityProviderService.DeleteUserPool", json11, `{}`, "UnknownOperationException"},
		{"another service's target", "DynamoDB_20120810.GetItem", json11, `{}`, "UnknownOperationException"},
		{"no target", "", json11, `{}`, "UnknownOperationException"},
		{"wrong content type", "AWSCognitoIdentityProviderService.InitiateAuth", "application/json", `{}`, "SerializationException"},
		{"no content type", "AWSCognitoIdentityProviderService.InitiateAuth", "", `{}`, "SerializationException"},
		{"malformed JSON", "AWSCognitoIdentityProviderService.InitiateAuth", json11, `{"AuthFlow": "CUSTOM_AUTH",`, "SerializationException"},
		{"JSON of the wrong shape", "AWSCognitoIdentityProviderService.SignUp", json11, `{"Username": 15555550101}`, "SerializationException"},
		{"empty body", "AWSCognitoIdentityProviderService.InitiateAuth", json11, ``, "InvalidParameterException"},
	}
	p := newPool(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := p.post(t, tt.target, tt.contentType, tt.body)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", res.StatusCode)
			}
			if got := body["__type"]; got != tt.wantType {
				t.Errorf("__type = %v, want %s (body %v)", got, tt.wantType, body)
			}
			if got := res.Header.Get("x-amzn-ErrorType"); got != tt.wantType {
				t.Errorf("x-amzn-ErrorType = %q, want %s", got, tt.wantType)
			}
			if msg, _ := body["message"].(string); msg == "" {
				t.Errorf("no message in %v", body)
			}
		})
	}
}
