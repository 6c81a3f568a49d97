package idp_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// An admin-created user answers the code, then NEW_PASSWORD_REQUIRED once,
// and is CONFIRMED.
func TestAdminCreatedUserSignsIn(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	created, err := p.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(phoneAlice), MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	u := created.User
	username := aws.ToString(u.Username)
	if u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled || !uuidShape.MatchString(username) {
		t.Fatalf("created user %s: status %s, enabled %v; want a UUID, FORCE_CHANGE_PASSWORD, enabled", username, u.UserStatus, u.Enabled)
	}
	if got := attributeMap(u.Attributes); got["phone_number"] != phoneAlice || got["sub"] != username {
		t.Errorf("created user's attributes = %v", got)
	}

	out, err := p.answer(challengeOf(p.initiate(t, phoneAlice, nil)), goodCode, nil)
	if err != nil {
		t.Fatalf("answering the code: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || out.AuthenticationResult != nil {
		t.Fatalf("after the code: challenge %q, tokens %v; want NEW_PASSWORD_REQUIRED", out.ChallengeName, out.AuthenticationResult != nil)
	}
	if n := len(p.calls.postAuth.all()); n != 0 {
		t.Errorf("PostAuthentication ran %d times before the new password", n)
	}

	newPassword := func(session, pass string) (*cip.RespondToAuthChallengeOutput, error) {
		return p.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId:      aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
			Session:       aws.String(session),
			ChallengeResponses: map[string]string{
				"USERNAME": out.ChallengeParameters["USERNAME"], "NEW_PASSWORD": pass,
			},
		})
	}
	done, err := newPassword(aws.ToString(out.Session), password)
	if err != nil {
		t.Fatalf("NEW_PASSWORD: %v", err)
	}
	if r := done.AuthenticationResult; r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.RefreshToken) == "" {
		t.Fatalf("after the new password: %+v, want tokens", done)
	}
	if got := p.adminGetUser(t, username).UserStatus; got != types.UserStatusTypeConfirmed {
		t.Errorf("status after the new password = %s, want CONFIRMED", got)
	}
	if n := len(p.calls.postAuth.all()); n != 1 {
		t.Errorf("PostAuthentication ran %d times, want 1", n)
	}

	// Next time, the code alone signs in.
	p.signIn(t, phoneAlice)
}

func TestAdminNewPasswordTooShort(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	if _, err := p.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneAlice)}); err != nil {
		t.Fatal(err)
	}
	out, err := p.answer(challengeOf(p.initiate(t, phoneAlice, nil)), goodCode, nil)
	if err != nil {
		t.Fatal(err)
	}
	respond := func(pw string) (*cip.RespondToAuthChallengeOutput, error) {
		return p.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": out.ChallengeParameters["USERNAME"], "NEW_PASSWORD": pw},
		})
	}
	_, err = respond(shortPass)
	wantError[*types.InvalidPasswordException](t, err, "")
	if got := p.adminGetUser(t, phoneAlice).UserStatus; got != types.UserStatusTypeForceChangePassword {
		t.Errorf("status = %s, want FORCE_CHANGE_PASSWORD still", got)
	}
	// The refusal did not spend the session.
	if res, err := respond(password); err != nil || res.AuthenticationResult == nil {
		t.Fatalf("a good password on the same session: %v", err)
	}
}

func TestAdminGetUser(t *testing.T) {
	p := newPool(t)
	sub := p.signUp(t, phoneAlice)
	for _, name := range []string{phoneAlice, sub} {
		t.Run(name, func(t *testing.T) {
			u := p.adminGetUser(t, name)
			attrs := attributeMap(u.UserAttributes)
			if aws.ToString(u.Username) != sub || attrs["sub"] != sub || attrs["phone_number"] != phoneAlice {
				t.Errorf("AdminGetUser(%s) = %s %v, want %s with phone %s", name, aws.ToString(u.Username), attrs, sub, phoneAlice)
			}
			if u.UserStatus != types.UserStatusTypeConfirmed || !u.Enabled {
				t.Errorf("status %s, enabled %v; want CONFIRMED, enabled", u.UserStatus, u.Enabled)
			}
			if u.UserCreateDate == nil || !u.UserCreateDate.Equal(t0) {
				t.Errorf("UserCreateDate = %v, want %v", u.UserCreateDate, t0)
			}
		})
	}
	_, err := p.api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneNoOne)})
	wantError[*types.UserNotFoundException](t, err, "User does not exist.")
}

func TestAdminUpdateUserAttributes(t *testing.T) {
	p := newPool(t)
	sub := p.signUp(t, phoneAlice)
	p.signUp(t, phoneBob)
	if err := p.updateAttributes(sub, map[string]string{"phone_number_verified": "true"}); err != nil {
		t.Fatalf("verify the number: %v", err)
	}

	t.Run("new phone number is unverified", func(t *testing.T) {
		if err := p.updateAttributes(phoneAlice, map[string]string{"phone_number": phoneCarol}); err != nil {
			t.Fatalf("change the number: %v", err)
		}
		attrs := attributeMap(p.adminGetUser(t, sub).UserAttributes)
		if attrs["phone_number"] != phoneCarol || attrs["phone_number_verified"] != "false" {
			t.Errorf("after a new number: %v, want %s unverified", attrs, phoneCarol)
		}
		if got := aws.ToString(p.adminGetUser(t, phoneCarol).Username); got != sub {
			t.Errorf("AdminGetUser(new number) = %s, want %s", got, sub)
		}
		_, err := p.api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneAlice)})
		wantError[*types.UserNotFoundException](t, err, "")
		// The user signs in with the new number.
		p.signIn(t, phoneCarol)
	})

	tests := []struct {
		name  string
		attrs map[string]string
		check func(*testing.T, error)
	}{
		{"a taken phone number", map[string]string{"phone_number": phoneBob}, isError[*types.AliasExistsException]("")},
		{"sub", map[string]string{"sub": "00000000-0000-4000-8000-000000000000"}, isError[*types.InvalidParameterException]("")},
		{"cognito:user_status", map[string]string{"cognito:user_status": "CONFIRMED"}, isError[*types.InvalidParameterException]("")},
		{"a phone number that is not E.164", map[string]string{"phone_number": "555-0101"}, isError[*types.InvalidParameterException]("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := attributeMap(p.adminGetUser(t, sub).UserAttributes)
			tt.check(t, p.updateAttributes(sub, tt.attrs))
			if after := attributeMap(p.adminGetUser(t, sub).UserAttributes); !maps.Equal(before, after) {
				t.Errorf("attributes changed by a refused update: %v -> %v", before, after)
			}
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		wantError[*types.UserNotFoundException](t, p.updateAttributes(phoneNoOne, map[string]string{"name": "x"}), "")
	})

	// The API reference: "To delete an attribute from your user, submit
	// the attribute in your API request with a blank value."
	t.Run("blank value deletes", func(t *testing.T) {
		if err := p.updateAttributes(sub, map[string]string{"name": "Alice", "locale": "en"}); err != nil {
			t.Fatal(err)
		}
		if err := p.updateAttributes(sub, map[string]string{"name": ""}); err != nil {
			t.Fatalf("blank name: %v", err)
		}
		attrs := attributeMap(p.adminGetUser(t, sub).UserAttributes)
		if v, ok := attrs["name"]; ok {
			t.Errorf("name = %q after a blank update, want no name attribute", v)
		}
		if attrs["locale"] != "en" {
			t.Errorf("locale = %q, want en untouched", attrs["locale"])
		}
	})
	t.Run("blank phone number refused", func(t *testing.T) {
		wantError[*types.InvalidParameterException](t, p.updateAttributes(sub, map[string]string{"phone_number": ""}), "")
	})
}

func TestListUsers(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	alice, bob, carol := p.signUp(t, phoneAlice), p.signUp(t, phoneBob), p.signUp(t, phoneCarol)
	created, err := p.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneDan)})
	if err != nil {
		t.Fatal(err)
	}
	dan := aws.ToString(created.User.Username)

	list := func(t *testing.T, filter string, limit int32, token *string) *cip.ListUsersOutput {
		t.Helper()
		in := &cip.ListUsersInput{UserPoolId: aws.String(poolID), PaginationToken: token}
		if filter != "" {
			in.Filter = aws.String(filter)
		}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		out, err := p.api.ListUsers(ctx, in)
		if err != nil {
			t.Fatalf("ListUsers(%q): %v", filter, err)
		}
		return out
	}
	names := func(users []types.UserType) []string {
		var out []string
		for _, u := range users {
			out = append(out, aws.ToString(u.Username))
		}
		return out
	}

	tests := []struct {
		filter string
		want   []string
	}{
		{"", []string{alice, bob, carol, dan}},
		{`phone_number = "` + phoneBob + `"`, []string{bob}},
		{`phone_number ^= "+1555555010"`, []string{alice, bob, carol, dan}},
		{`status = "Enabled"`, []string{alice, bob, carol, dan}},
		{`status = "Disabled"`, nil},
		{`cognito:user_status = "CONFIRMED"`, []string{alice, bob, carol}},
		{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, []string{dan}},
		{`sub = "` + carol + `"`, []string{carol}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			out := list(t, tt.filter, 0, nil)
			if got := names(out.Users); !slices.Equal(got, tt.want) {
				t.Errorf("users = %v, want %v", got, tt.want)
			}
			if out.PaginationToken != nil {
				t.Errorf("PaginationToken = %q on the only page", aws.ToString(out.PaginationToken))
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		var got []string
		var token *string
		for page := 1; ; page++ {
			out := list(t, "", 3, token)
			if len(out.Users) > 3 {
				t.Fatalf("page %d has %d users, limit 3", page, len(out.Users))
			}
			got = append(got, names(out.Users)...)
			if token = out.PaginationToken; token == nil {
				break
			}
			if page > 4 {
				t.Fatal("no last page")
			}
		}
		if want := []string{alice, bob, carol, dan}; !slices.Equal(got, want) {
			t.Errorf("paged users = %v, want %v", got, want)
		}
	})

	t.Run("attributes to get", func(t *testing.T) {
		out, err := p.api.ListUsers(ctx, &cip.ListUsersInput{
			UserPoolId: aws.String(poolID), AttributesToGet: []string{"phone_number"}, Filter: aws.String(`sub = "` + alice + `"`),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Users) != 1 || !maps.Equal(attributeMap(out.Users[0].Attributes), map[string]string{"phone_number": phoneAlice}) {
			t.Errorf("users = %+v, want alice with phone_number only", out.Users)
		}
	})

	t.Run("bad filter", func(t *testing.T) {
		_, err := p.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Filter: aws.String(`custom:tier = "gold"`)})
		wantError[*types.InvalidParameterException](t, err, "")
	})
}

func TestAdminDeleteUser(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	sub := p.signUp(t, phoneAlice)
	tok := p.signIn(t, phoneAlice)

	if _, err := p.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneAlice)}); err != nil {
		t.Fatalf("AdminDeleteUser: %v", err)
	}
	for _, name := range []string{phoneAlice, sub} {
		_, err := p.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)})
		wantError[*types.UserNotFoundException](t, err, "User does not exist.")
	}
	_, err := p.refresh(aws.ToString(tok.RefreshToken))
	wantError[*types.NotAuthorizedException](t, err, "")
	_, err = p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	wantError[*types.NotAuthorizedException](t, err, "")

	_, err = p.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneAlice)})
	wantError[*types.UserNotFoundException](t, err, "")

	// The number is free again, for a new user.
	if again := p.signUp(t, phoneAlice); again == sub {
		t.Errorf("re-registered user has the deleted user's sub %s", sub)
	}
}

func TestAdminConfirmSignUp(t *testing.T) {
	p := newPool(t, noPreSignUp)
	ctx := context.Background()
	confirm := func(name string) error {
		_, err := p.api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(poolID), Username: aws.String(name)})
		return err
	}
	su, err := p.api.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), Password: aws.String(password),
	})
	if err != nil {
		t.Fatal(err)
	}
	if su.UserConfirmed {
		t.Error("SignUp without PreSignUp: UserConfirmed = true, want false")
	}
	if got := p.adminGetUser(t, phoneAlice).UserStatus; got != types.UserStatusTypeUnconfirmed {
		t.Fatalf("status without PreSignUp = %s, want UNCONFIRMED", got)
	}
	_, err = p.initiateErr(phoneAlice, nil)
	wantError[*types.UserNotConfirmedException](t, err, "")

	if err := confirm(phoneAlice); err != nil {
		t.Fatalf("AdminConfirmSignUp: %v", err)
	}
	if got := p.adminGetUser(t, phoneAlice).UserStatus; got != types.UserStatusTypeConfirmed {
		t.Errorf("status = %s, want CONFIRMED", got)
	}
	wantError[*types.NotAuthorizedException](t, confirm(phoneAlice), "User cannot be confirmed. Current status is CONFIRMED")
	wantError[*types.UserNotFoundException](t, confirm(phoneNoOne), "")
	p.signIn(t, phoneAlice)
}

// The API reference: "In your AdminCreateUser request, you can set the
// email_verified and phone_number_verified attributes to true."
func TestAdminCreateUserVerifiedPhone(t *testing.T) {
	p := newPool(t)
	tests := []struct {
		phone string
		attrs map[string]string
		want  string
	}{
		{phoneAlice, map[string]string{"phone_number_verified": "true"}, "true"},
		{phoneBob, map[string]string{"phone_number": phoneBob, "phone_number_verified": "true"}, "true"},
		{phoneCarol, nil, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.phone, func(t *testing.T) {
			out, err := p.api.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String(tt.phone), UserAttributes: attributes(tt.attrs),
			})
			if err != nil {
				t.Fatalf("AdminCreateUser: %v", err)
			}
			if got := attributeMap(out.User.Attributes)["phone_number_verified"]; got != tt.want {
				t.Errorf("created phone_number_verified = %q, want %q", got, tt.want)
			}
			if got := attributeMap(p.adminGetUser(t, tt.phone).UserAttributes)["phone_number_verified"]; got != tt.want {
				t.Errorf("stored phone_number_verified = %q, want %q", got, tt.want)
			}
		})
	}
}
