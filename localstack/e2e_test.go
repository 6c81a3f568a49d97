package localstack_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/jwttest"
)

// settings for every end-to-end stack: a 60 s code, so expiry can be
// tested without running into the 3-minute session.
var e2eSettings = map[string]string{"OTP_CODE_TTL": "60s"}

// The end-to-end suite: the real SDK client, the real triggers and worker,
// on the embedded backends and on DynamoDB Local + fauxqs. Subtests share
// one stack per backend and run in order, since some move its clock.
func TestEndToEnd(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			l := start(t, b, e2eSettings)
			for _, tc := range []struct {
				name string
				run  func(*testing.T, *local)
			}{
				{"sign up and sign in", testSignUpAndSignIn},
				{"wrong code then right code", testWrongThenRight},
				{"too many attempts", testTooManyAttempts},
				{"expired code", testExpiredCode},
				{"rate limit", testRateLimit},
				{"unknown user", testUnknownUser},
				{"tokens against the JWKS", testTokensAgainstJWKS},
				{"refresh, sign-out and revoke", testRefreshAndRevoke},
				{"session used twice", testSessionUsedTwice},
				{"sign-up refusals", testSignUpRefusals},
				{"no confirmation codes", testNoConfirmationCodes},
			} {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, l) })
			}
		})
	}
}

func testSignUpAndSignIn(t *testing.T, l *local) {
	phone := number(t)
	out, err := l.cip.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(l.stack.ClientID()), Username: aws.String(phone),
		Password: aws.String("a-password-nobody-keeps-0123456789"),
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if !out.UserConfirmed || aws.ToString(out.UserSub) == "" {
		t.Fatalf("SignUp = confirmed %v, sub %q; want confirmed by PreSignUp, with a sub", out.UserConfirmed, aws.ToString(out.UserSub))
	}
	c := l.mustInitiate(t, phone)
	if c.username != aws.ToString(out.UserSub) {
		t.Errorf("ChallengeParameters USERNAME = %q, want the internal username %q", c.username, aws.ToString(out.UserSub))
	}
	for _, p := range []string{"maskedPhone", "codeLength", "expiresIn", "resendAfter"} {
		if c.params[p] == "" {
			t.Errorf("ChallengeParameters lack %s: %v", p, c.params)
		}
	}
	if strings.Contains(c.params["maskedPhone"], phone[2:]) {
		t.Errorf("maskedPhone %q shows the number", c.params["maskedPhone"])
	}
	res, err := l.respond(c, l.code(t, phone, 1))
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("answer the code from the outbox: %v (challenge %v)", err, res)
	}
	user, err := l.cip.GetUser(context.Background(), &cip.GetUserInput{AccessToken: res.AuthenticationResult.AccessToken})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	attrs := map[string]string{}
	for _, a := range user.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	// PostAuthentication marks the number verified once a code proved it.
	if attrs["phone_number"] != phone || attrs["phone_number_verified"] != "true" {
		t.Errorf("GetUser attributes = %v, want the number, verified", attrs)
	}
	l.quiet(t, phone, 1)
}

func testWrongThenRight(t *testing.T, l *local) {
	phone := number(t)
	l.signUp(t, phone)
	c := l.mustInitiate(t, phone)
	code := l.code(t, phone, 1)
	c = l.again(t, c, wrongCode(code))
	if c.params["maskedPhone"] == "" {
		t.Errorf("the second round lacks the public parameters: %v", c.params)
	}
	res, err := l.respond(c, code)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("the same code after a wrong one: %v", err)
	}
	l.quiet(t, phone, 1) // a wrong answer sends no new code
}

// wrongCode is a code that is not code.
func wrongCode(code string) string {
	w := []byte(code)
	w[0] = '0' + (w[0]-'0'+1)%10
	return string(w)
}

func testTooManyAttempts(t *testing.T, l *local) {
	phone := number(t)
	l.signUp(t, phone)
	c := l.mustInitiate(t, phone)
	code := l.code(t, phone, 1)
	c = l.again(t, c, wrongCode(code))
	c = l.again(t, c, wrongCode(code))
	_, err := l.respond(c, wrongCode(code))
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) || na.ErrorMessage() != "Incorrect username or password." {
		t.Fatalf("third wrong answer: %v, want NotAuthorizedException", err)
	}
	// The code is spent: a new sign-in within the cooldown must not be
	// able to use it (Create refuses, or the code no longer verifies).
	if out, err := l.initiate(phone); err == nil {
		c = challenge{session: out.Session, username: out.ChallengeParameters["USERNAME"]}
		if res, err := l.respond(c, code); err == nil && res.AuthenticationResult != nil {
			t.Fatal("a code whose attempts were spent still signs in")
		}
	}
}

func testExpiredCode(t *testing.T, l *local) {
	phone := number(t)
	l.signUp(t, phone)
	c := l.mustInitiate(t, phone)
	code := l.code(t, phone, 1)
	l.clock.Advance(61 * time.Second)
	c = l.again(t, c, code)
	// The expired code failed and a new one went out.
	fresh := l.code(t, phone, 2)
	if c.params["expiresIn"] != "60" {
		t.Errorf("new challenge expiresIn = %q, want 60", c.params["expiresIn"])
	}
	res, err := l.respond(c, fresh)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("the new code: %v", err)
	}
}

func testRateLimit(t *testing.T, l *local) {
	phone := number(t)
	l.signUp(t, phone)
	// Five codes in 15 minutes (OTP_CAP_PHONE_15M), each after the 30 s
	// resend cooldown; the sixth is refused with the wait. The caps count
	// in fixed windows, so start at the beginning of one.
	now := l.clock.Now()
	l.clock.Advance(now.Truncate(15 * time.Minute).Add(15*time.Minute + time.Second).Sub(now))
	for i := 1; i <= 5; i++ {
		l.mustInitiate(t, phone)
		l.code(t, phone, i)
		l.clock.Advance(31 * time.Second)
	}
	_, err := l.initiate(phone)
	var lv *types.UserLambdaValidationException
	if !errors.As(err, &lv) {
		t.Fatalf("sixth code in 15 minutes: %v, want UserLambdaValidationException", err)
	}
	if !regexp.MustCompile(`^CreateAuthChallenge failed with error OTP_RATE_LIMITED retryAfter=\d+\.$`).MatchString(lv.ErrorMessage()) {
		t.Errorf("message = %q, want the documented refusal", lv.ErrorMessage())
	}
	l.quiet(t, phone, 5)
}

func testUnknownUser(t *testing.T, l *local) {
	phone := number(t)
	out, err := l.initiate(phone)
	if err != nil {
		t.Fatalf("InitiateAuth for an unknown number: %v (PreventUserExistenceErrors hides it)", err)
	}
	c := challenge{session: out.Session, username: out.ChallengeParameters["USERNAME"], params: out.ChallengeParameters}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(c.username) {
		t.Errorf("USERNAME = %q, want a UUID like a real user's", c.username)
	}
	for _, p := range []string{"maskedPhone", "codeLength", "expiresIn", "resendAfter"} {
		if c.params[p] == "" {
			t.Errorf("decoy challenge lacks %s", p)
		}
	}
	for i := 0; i < 2; i++ {
		c = l.again(t, c, "123456")
	}
	_, err = l.respond(c, "123456")
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Fatalf("third answer for an unknown user: %v, want NotAuthorizedException", err)
	}
	l.quiet(t, phone, 0)
}

func testTokensAgainstJWKS(t *testing.T, l *local) {
	phone := number(t)
	l.signUp(t, phone)
	res := l.signIn(t, phone)
	keys := fetchJWKS(t, l.stack.Issuer()+"/.well-known/jwks.json")
	id := verifyJWT(t, keys, aws.ToString(res.IdToken))
	access := verifyJWT(t, keys, aws.ToString(res.AccessToken))
	if res.ExpiresIn != 3600 || aws.ToString(res.TokenType) != "Bearer" {
		t.Errorf("ExpiresIn %d, TokenType %q", res.ExpiresIn, aws.ToString(res.TokenType))
	}
	wantID := map[string]any{
		"iss": l.stack.Issuer(), "aud": l.stack.ClientID(), "token_use": "id",
		"phone_number": phone, "phone_number_verified": true,
	}
	wantAccess := map[string]any{
		"iss": l.stack.Issuer(), "client_id": l.stack.ClientID(), "token_use": "access",
		"scope": "aws.cognito.signin.user.admin",
	}
	checkClaims(t, "ID", id, wantID, "sub", "auth_time", "iat", "exp", "jti", "origin_jti", "event_id", "cognito:username")
	checkClaims(t, "access", access, wantAccess, "sub", "auth_time", "iat", "exp", "jti", "origin_jti", "event_id", "username")
	if id["sub"] != access["sub"] || id["cognito:username"] != access["username"] || id["origin_jti"] != access["origin_jti"] {
		t.Errorf("ID and access tokens disagree: %v / %v", id, access)
	}
}

func checkClaims(t *testing.T, kind string, got, want map[string]any, present ...string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s token %s = %v, want %v", kind, k, got[k], v)
		}
	}
	for _, k := range present {
		if _, ok := got[k]; !ok {
			t.Errorf("%s token lacks %s", kind, k)
		}
	}
}

type jwk struct {
	Kid, Kty, Alg, Use, N, E string
}

func fetchJWKS(t *testing.T, url string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Keys []jwk }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("JWKS %s: status %d, %v", url, resp.StatusCode, err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		e, _ := base64.RawURLEncoding.DecodeString(k.E)
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
			t.Fatalf("JWKS key %+v", k)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys
}

// verifyJWT checks an RS256 signature against the JWKS, as an API would,
// and returns the claims.
func verifyJWT(t *testing.T, keys map[string]*rsa.PublicKey, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	var header struct{ Kid, Alg string }
	jwttest.Part(t, tok, 0, &header)
	key, ok := keys[header.Kid]
	if !ok || header.Alg != "RS256" {
		t.Fatalf("token header %+v: no such key in the JWKS", header)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify against the JWKS: %v", err)
	}
	return jwttest.Claims(t, tok)
}

func testRefreshAndRevoke(t *testing.T, l *local) {
	ctx := context.Background()
	phone := number(t)
	l.signUp(t, phone)
	res := l.signIn(t, phone)
	refresh := func(tok *string) (*cip.InitiateAuthOutput, error) {
		return l.cip.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(l.stack.ClientID()), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tok)},
		})
	}
	out, err := refresh(res.RefreshToken)
	if err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
	}
	if r := out.AuthenticationResult; r == nil || r.IdToken == nil || r.AccessToken == nil || r.RefreshToken != nil {
		t.Fatalf("refresh result %+v: want new ID and access tokens and no refresh token", r)
	}
	// Amplify v6 refreshes with GetTokensFromRefreshToken instead.
	got, err := l.cip.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
		ClientId: aws.String(l.stack.ClientID()), RefreshToken: res.RefreshToken,
	})
	if err != nil || got.AuthenticationResult == nil || got.AuthenticationResult.IdToken == nil || got.AuthenticationResult.RefreshToken != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v, %+v", err, got)
	}
	// GlobalSignOut revokes every token of the user.
	if _, err := l.cip.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: out.AuthenticationResult.AccessToken}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	var na *types.NotAuthorizedException
	if _, err := l.cip.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}); !errors.As(err, &na) {
		t.Errorf("GetUser after GlobalSignOut: %v, want NotAuthorizedException", err)
	}
	if _, err := refresh(res.RefreshToken); !errors.As(err, &na) {
		t.Errorf("refresh after GlobalSignOut: %v, want NotAuthorizedException", err)
	}
	// RevokeToken ends one sign-in (what Amplify's signOut calls).
	l.clock.Advance(31 * time.Second)
	res = l.signIn(t, phone)
	if _, err := l.cip.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(l.stack.ClientID()), Token: res.RefreshToken}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if _, err := refresh(res.RefreshToken); !errors.As(err, &na) {
		t.Errorf("refresh after RevokeToken: %v, want NotAuthorizedException", err)
	}
}

func testSessionUsedTwice(t *testing.T, l *local) {
	phone := number(t)
	l.signUp(t, phone)
	c := l.mustInitiate(t, phone)
	code := l.code(t, phone, 1)
	l.again(t, c, wrongCode(code))
	_, err := l.respond(c, code)
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) || !strings.Contains(na.ErrorMessage(), "only be used once") {
		t.Fatalf("a session used twice: %v, want NotAuthorizedException", err)
	}
}

func testSignUpRefusals(t *testing.T, l *local) {
	ctx := context.Background()
	existing := number(t)
	l.signUp(t, existing)
	signUp := func(phone, password string) error {
		_, err := l.cip.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(l.stack.ClientID()), Username: aws.String(phone), Password: aws.String(password),
		})
		return err
	}
	const pw = "a-password-nobody-keeps-0123456789"
	var (
		exists  *types.UsernameExistsException
		param   *types.InvalidParameterException
		lambda  *types.UserLambdaValidationException
		pwd     *types.InvalidPasswordException
		notFoun *types.ResourceNotFoundException
	)
	tests := []struct {
		name  string
		err   error
		as    any
		match string
	}{
		{"registered number", signUp(existing, pw), &exists, ""},
		{"not a phone number", signUp("alice", pw), &param, ""},
		{"landline refused by PreSignUp", signUp("+442079460000", pw), &lambda, `^PreSignUp failed with error OTP_NUMBER_NOT_ALLOWED\.$`},
		{"short password", signUp(number(t), "short"), &pwd, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.As(tc.err, tc.as) {
				t.Fatalf("got %v, want %T", tc.err, tc.as)
			}
			var api interface{ ErrorMessage() string }
			if tc.match != "" && (!errors.As(tc.err, &api) || !regexp.MustCompile(tc.match).MatchString(api.ErrorMessage())) {
				t.Errorf("message of %v does not match %s", tc.err, tc.match)
			}
		})
	}
	_, err := l.cip.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("another-client"), Username: aws.String(number(t)), Password: aws.String(pw)})
	if !errors.As(err, &notFoun) {
		t.Errorf("another app client: %v, want ResourceNotFoundException", err)
	}
}
