package idp_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/idp"
)

// With PreventUserExistenceErrors (the default), an unknown number gets a
// challenge like anyone else's, the triggers are told, and no answer signs
// it in.
func TestUnknownUserLooksLikeAKnownOne(t *testing.T) {
	p := newPool(t)
	p.signUp(t, phoneAlice)
	known := p.initiate(t, phoneAlice, nil)

	unknown := p.initiate(t, phoneNoOne, nil)
	if got, want := slices.Sorted(maps.Keys(unknown.ChallengeParameters)), slices.Sorted(maps.Keys(known.ChallengeParameters)); !slices.Equal(got, want) {
		t.Errorf("unknown user's ChallengeParameters keys = %v, a known user's = %v", got, want)
	}
	shown := unknown.ChallengeParameters["USERNAME"]
	if !uuidShape.MatchString(shown) || shown == phoneNoOne {
		t.Errorf("unknown user's USERNAME = %q, want a UUID", shown)
	}
	if len(aws.ToString(unknown.Session)) != len(aws.ToString(known.Session)) {
		t.Errorf("session lengths differ: unknown %d, known %d", len(aws.ToString(unknown.Session)), len(aws.ToString(known.Session)))
	}

	define, create := p.calls.define.last(t), p.calls.create.last(t)
	for _, ev := range []struct {
		name     string
		notFound bool
		userName string
		attrs    map[string]string
	}{
		{"Define", define.Request.UserNotFound, define.UserName, define.Request.UserAttributes},
		{"Create", create.Request.UserNotFound, create.UserName, create.Request.UserAttributes},
	} {
		if !ev.notFound || ev.userName != phoneNoOne || len(ev.attrs) != 0 {
			t.Errorf("%s event: userNotFound %v, userName %q, userAttributes %v; want true, %q, none",
				ev.name, ev.notFound, ev.userName, ev.attrs, phoneNoOne)
		}
	}

	// The fake Verify accepts the code even here; the pool still refuses.
	_, err := p.answer(challengeOf(unknown), goodCode, nil)
	wantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	if v := p.calls.verify.last(t); !v.Request.UserNotFound || v.UserName != phoneNoOne {
		t.Errorf("Verify event: userNotFound %v, userName %q; want true, %q", v.Request.UserNotFound, v.UserName, phoneNoOne)
	}
	if n := len(p.calls.postAuth.all()); n != 0 {
		t.Errorf("PostAuthentication ran %d times for an unknown user", n)
	}
}

func TestUnknownUserRevealed(t *testing.T) {
	p := newPool(t, revealUsers)
	_, err := p.initiateErr(phoneNoOne, nil)
	wantError[*types.UserNotFoundException](t, err, "")
	if n := len(p.calls.define.all()); n != 0 {
		t.Errorf("Define ran %d times for an unknown user", n)
	}
}

func TestWrongAnswersFailAuthentication(t *testing.T) {
	p := newPool(t)
	p.signUp(t, phoneAlice)
	ch := challengeOf(p.initiate(t, phoneAlice, nil))
	for round := 1; round < maxAnswers; round++ {
		out, err := p.answer(ch, wrongCode, nil)
		if err != nil {
			t.Fatalf("wrong answer %d: %v", round, err)
		}
		ch = challengeOf(out)
	}
	_, err := p.answer(ch, wrongCode, nil)
	wantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
}

func TestSessions(t *testing.T) {
	tests := []struct {
		name string
		// respond answers the code with a session that has gone wrong.
		respond func(t *testing.T, p *pool, ch challenge) error
		check   func(*testing.T, error)
	}{
		{
			name: "used twice",
			respond: func(t *testing.T, p *pool, ch challenge) error {
				if _, err := p.answer(ch, wrongCode, nil); err != nil {
					t.Fatalf("first use: %v", err)
				}
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: isError[*types.NotAuthorizedException]("Invalid session for the user, session can only be used once."),
		},
		{
			name: "expired",
			respond: func(_ *testing.T, p *pool, ch challenge) error {
				p.clock.Advance(idp.DefaultSessionValidity + time.Second)
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: isError[*types.NotAuthorizedException]("Invalid session for the user, session is expired."),
		},
		{
			name: "just before expiry",
			respond: func(_ *testing.T, p *pool, ch challenge) error {
				p.clock.Advance(idp.DefaultSessionValidity - time.Second)
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("answer within the session's validity: %v", err)
				}
			},
		},
		{
			name: "unknown session",
			respond: func(_ *testing.T, p *pool, ch challenge) error {
				ch.session = "AYABeN0tAs3ss10n" + ch.session[16:]
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: isError[*types.NotAuthorizedException](""),
		},
		{
			name: "another user's username",
			respond: func(t *testing.T, p *pool, ch challenge) error {
				ch.username = p.signUp(t, phoneBob)
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: isError[*types.NotAuthorizedException](""),
		},
		{
			name: "another user's phone number",
			respond: func(t *testing.T, p *pool, ch challenge) error {
				p.signUp(t, phoneBob)
				ch.username = phoneBob
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: isError[*types.NotAuthorizedException](""),
		},
		{
			name: "unknown username",
			respond: func(_ *testing.T, p *pool, ch challenge) error {
				ch.username = phoneNoOne
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: isError[*types.NotAuthorizedException](""),
		},
		{
			name: "own phone number instead of USERNAME",
			respond: func(_ *testing.T, p *pool, ch challenge) error {
				ch.username = phoneAlice
				_, err := p.answer(ch, goodCode, nil)
				return err
			},
			check: func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("answer naming the user by phone number: %v", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t)
			p.signUp(t, phoneAlice)
			ch := challengeOf(p.initiate(t, phoneAlice, nil))
			tt.check(t, tt.respond(t, p, ch))
		})
	}
}

func TestAccessToken(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	sub := p.signUp(t, phoneAlice)
	tok := p.signIn(t, phoneAlice)
	if aws.ToString(tok.IdToken) == "" || aws.ToString(tok.AccessToken) == "" || aws.ToString(tok.RefreshToken) == "" {
		t.Fatalf("sign-in tokens incomplete: %+v", tok)
	}
	if aws.ToString(tok.TokenType) != "Bearer" || tok.ExpiresIn != 3600 {
		t.Errorf("TokenType %q, ExpiresIn %d; want Bearer, 3600", aws.ToString(tok.TokenType), tok.ExpiresIn)
	}

	u, err := p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	attrs := attributeMap(u.UserAttributes)
	if aws.ToString(u.Username) != sub || attrs["sub"] != sub || attrs["phone_number"] != phoneAlice {
		t.Errorf("GetUser = %s %v, want %s with phone %s", aws.ToString(u.Username), attrs, sub, phoneAlice)
	}

	if _, err := p.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	_, err = p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	wantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
	_, err = p.refresh(aws.ToString(tok.RefreshToken))
	wantError[*types.NotAuthorizedException](t, err, "")
}

func TestRefreshToken(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	p.signUp(t, phoneAlice)
	tok := p.signIn(t, phoneAlice)

	out, err := p.refresh(aws.ToString(tok.RefreshToken))
	if err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
	}
	r := out.AuthenticationResult
	switch {
	case r == nil:
		t.Fatalf("REFRESH_TOKEN_AUTH = challenge %q, want tokens", out.ChallengeName)
	case aws.ToString(r.IdToken) == "" || aws.ToString(r.AccessToken) == "":
		t.Errorf("refreshed IdToken %q, AccessToken %q; want both", aws.ToString(r.IdToken), aws.ToString(r.AccessToken))
	case r.RefreshToken != nil:
		t.Errorf("refresh returned a RefreshToken %q; Cognito returns none", aws.ToString(r.RefreshToken))
	}
	if _, err := p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: r.AccessToken}); err != nil {
		t.Errorf("GetUser with the refreshed access token: %v", err)
	}

	if _, err := p.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: tok.RefreshToken}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err = p.refresh(aws.ToString(tok.RefreshToken))
	wantError[*types.NotAuthorizedException](t, err, "")
	_, err = p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: r.AccessToken})
	wantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
}

func TestRefreshTokenUnknown(t *testing.T) {
	p := newPool(t)
	_, err := p.refresh("not-a-refresh-token")
	wantError[*types.NotAuthorizedException](t, err, "")
}

// Racing answers on one session: exactly one is heard.
func TestSessionUsedOnceUnderRace(t *testing.T) {
	p := newPool(t)
	p.signUp(t, phoneAlice)
	ch := challengeOf(p.initiate(t, phoneAlice, nil))

	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.answer(ch, goodCode, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
	}
	if ok != 1 {
		t.Errorf("%d answers accepted, want 1", ok)
	}
	if got := len(p.calls.verify.all()); got != 1 {
		t.Errorf("Verify ran %d times, want 1", got)
	}
}
