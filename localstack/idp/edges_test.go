package idp_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/jwttest"
)

// An unknown number's made-up USERNAME stays the same across sign-ins, as
// a real user's does; otherwise two InitiateAuth calls would tell them apart.
func TestUnknownUserNameIsStable(t *testing.T) {
	p := newPool(t)
	p.signUp(t, phoneAlice)
	for _, phone := range []string{phoneAlice, phoneNoOne} {
		first := p.initiate(t, phone, nil).ChallengeParameters["USERNAME"]
		second := p.initiate(t, phone, nil).ChallengeParameters["USERNAME"]
		if first != second {
			t.Errorf("%s: USERNAME %q then %q, want the same", phone, first, second)
		}
	}
	if a, b := p.initiate(t, phoneNoOne, nil).ChallengeParameters["USERNAME"], p.initiate(t, phoneBob, nil).ChallengeParameters["USERNAME"]; a == b {
		t.Errorf("two unknown numbers share the USERNAME %q", a)
	}
}

// A malformed answer does not spend the session: the client can send the
// right one with it.
func TestBadAnswerKeepsTheSession(t *testing.T) {
	p := newPool(t)
	p.signUp(t, phoneAlice)
	ch := challengeOf(p.initiate(t, phoneAlice, nil))
	bad := []struct {
		name string
		in   *cip.RespondToAuthChallengeInput
	}{
		{"no ANSWER", &cip.RespondToAuthChallengeInput{
			ChallengeResponses: map[string]string{"USERNAME": ch.username},
		}},
		{"another user", &cip.RespondToAuthChallengeInput{
			ChallengeResponses: map[string]string{"USERNAME": "someone-else", "ANSWER": goodCode},
		}},
		{"another challenge name", &cip.RespondToAuthChallengeInput{
			ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
			ChallengeResponses: map[string]string{"USERNAME": ch.username, "NEW_PASSWORD": password},
		}},
	}
	for _, tc := range bad {
		in := tc.in
		in.ClientId, in.Session = aws.String(clientID), aws.String(ch.session)
		if in.ChallengeName == "" {
			in.ChallengeName = types.ChallengeNameTypeCustomChallenge
		}
		if _, err := p.api.RespondToAuthChallenge(context.Background(), in); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	out, err := p.answer(ch, goodCode, nil)
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("the right answer after refused requests: %v", err)
	}
}

// A refresh carries the user's attributes as they are now, and fails for
// a user deleted since signing in.
func TestRefreshSeesTheUserNow(t *testing.T) {
	p := newPool(t)
	p.signUp(t, phoneAlice)
	tok := p.signIn(t, phoneAlice)
	if err := p.updateAttributes(phoneAlice, map[string]string{"phone_number": phoneCarol}); err != nil {
		t.Fatal(err)
	}
	out, err := p.refresh(aws.ToString(tok.RefreshToken))
	if err != nil {
		t.Fatal(err)
	}
	if got := jwttest.Claims(t, aws.ToString(out.AuthenticationResult.IdToken))["phone_number"]; got != phoneCarol {
		t.Errorf("refreshed ID token phone_number = %v, want the new %s", got, phoneCarol)
	}
	if _, err := p.api.AdminDeleteUser(context.Background(), &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneCarol)}); err != nil {
		t.Fatal(err)
	}
	_, err = p.refresh(aws.ToString(tok.RefreshToken))
	wantError[*types.NotAuthorizedException](t, err, "")
}

// Deleting each user of each page while paging (a clean-up loop) skips
// no one: the token is a cursor, not an offset.
func TestListUsersWhileDeleting(t *testing.T) {
	p := newPool(t)
	for i := range 7 {
		p.signUp(t, fmt.Sprintf("+1555555011%d", i))
	}
	ctx := context.Background()
	seen := 0
	var token *string
	for {
		out, err := p.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(2), PaginationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Users {
			seen++
			if _, err := p.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: u.Username}); err != nil {
				t.Fatal(err)
			}
		}
		if token = out.PaginationToken; token == nil {
			break
		}
	}
	if seen != 7 {
		t.Errorf("the loop saw %d users, want 7", seen)
	}
}

// MessageAction RESEND: the user must exist and still be waiting for its
// first sign-in; nothing is sent either way.
func TestAdminCreateUserResend(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	create := func(phone, action string) (*cip.AdminCreateUserOutput, error) {
		in := &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phone)}
		if action != "" {
			in.MessageAction = types.MessageActionType(action)
		}
		return p.api.AdminCreateUser(ctx, in)
	}
	_, err := create(phoneNoOne, "RESEND")
	wantError[*types.UserNotFoundException](t, err, "")
	if _, err := create(phoneAlice, ""); err != nil {
		t.Fatal(err)
	}
	out, err := create(phoneAlice, "RESEND")
	if err != nil || out.User.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Fatalf("RESEND for a new admin-created user: %v", err)
	}
	p.signUp(t, phoneBob)
	_, err = create(phoneBob, "RESEND")
	wantError[*types.UnsupportedUserStateException](t, err, "")
}

// Fields real clients send that the local pool has no use for are
// accepted and ignored (Amplify sends UserContextData when advanced
// security is on; Pinpoint users send AnalyticsMetadata).
func TestUnusedClientFieldsAccepted(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	analytics := &types.AnalyticsMetadataType{AnalyticsEndpointId: aws.String("endpoint-1")}
	userContext := &types.UserContextDataType{EncodedData: aws.String("opaque"), IpAddress: aws.String("192.0.2.1")}
	if _, err := p.api.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), Password: aws.String(password),
		AnalyticsMetadata: analytics, UserContextData: userContext,
	}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	out, err := p.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters:    map[string]string{"USERNAME": phoneAlice},
		AnalyticsMetadata: analytics, UserContextData: userContext,
	})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	res, err := p.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": out.ChallengeParameters["USERNAME"], "ANSWER": goodCode},
		AnalyticsMetadata:  analytics, UserContextData: userContext,
	})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("RespondToAuthChallenge: %v", err)
	}
}
