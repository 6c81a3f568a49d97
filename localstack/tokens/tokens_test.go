package tokens_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

func TestIssueGoldenClaims(t *testing.T) {
	iss, _ := newIssuer(t)
	got, err := iss.Issue(testUser, authTime)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	// The kid is Cognito-shaped: standard base64 of SHA-256 over the PKIX DER.
	der, err := x509.MarshalPKIXPublicKey(&signingKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	wantKid := base64.StdEncoding.EncodeToString(sum[:])
	if iss.KeyID() != wantKid || len(wantKid) != 44 {
		t.Errorf("KeyID() = %q, want %q", iss.KeyID(), wantKid)
	}

	// Cognito's JWT header is exactly {"kid","alg"}: no typ.
	wantHeader := map[string]any{"kid": wantKid, "alg": "RS256"}
	for _, tc := range []struct {
		name, tok, golden string
	}{
		{"id token", got.IDToken, "id_token_claims.json"},
		{"access token", got.AccessToken, "access_token_claims.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header, payload := parseJWT(t, tc.tok, iss.JWKS())
			diffClaims(t, "header", header, wantHeader)
			diffClaims(t, "payload", payload, golden(t, tc.golden))
		})
	}

	// Bytes 0x40..0x5f of the sequence, after four UUIDs; not a JWT.
	if want := "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8"; got.RefreshToken != want {
		t.Errorf("RefreshToken = %q, want %q", got.RefreshToken, want)
	}
	if got.ExpiresIn != 3600 {
		t.Errorf("ExpiresIn = %d, want 3600", got.ExpiresIn)
	}
}

func TestIssueTypesAttributesAsCognitoDoes(t *testing.T) {
	iss, _ := newIssuer(t)
	user := tokens.User{Sub: testSub, Username: "alice", Attributes: map[string]string{
		"sub":                   "not-the-sub",
		"phone_number":          "+447700900123",
		"phone_number_verified": "false",
		"email_verified":        "true",
		"updated_at":            "1772000000",
		"custom:tier":           "gold",
		"token_use":             "access", // an attribute can't forge a token claim
	}}
	got, err := iss.Issue(user, time.Time{})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	_, payload := parseJWT(t, got.IDToken, iss.JWKS())
	for claim, want := range map[string]any{
		"sub":                   testSub,
		"cognito:username":      "alice",
		"phone_number":          "+447700900123",
		"phone_number_verified": false,
		"email_verified":        true,
		"updated_at":            float64(1772000000),
		"custom:tier":           "gold",
		"token_use":             "id",
		"auth_time":             float64(t0.Unix()), // zero authTime means now
	} {
		if !reflect.DeepEqual(payload[claim], want) {
			t.Errorf("claim %q = %#v, want %#v", claim, payload[claim], want)
		}
	}
}

func TestIssueRejectsIncompleteUser(t *testing.T) {
	iss, _ := newIssuer(t)
	for _, u := range []tokens.User{{Username: "alice"}, {Sub: testSub}} {
		if _, err := iss.Issue(u, authTime); err == nil {
			t.Errorf("Issue(%+v) succeeded, want an error", u)
		}
	}
}

func TestRefreshKeepsOriginAndAuthTime(t *testing.T) {
	iss, clk := newIssuer(t)
	first, err := iss.Issue(testUser, authTime)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	later := t0.Add(50 * time.Minute)
	clk.Set(later)
	got, err := iss.Refresh(first.RefreshToken)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if got.RefreshToken != "" || got.ExpiresIn != 3600 {
		t.Errorf("Refresh gave RefreshToken %q, ExpiresIn %d; want none, 3600", got.RefreshToken, got.ExpiresIn)
	}
	// Same origin_jti, event_id and auth_time; new jti (bytes 0x60.. and
	// 0x70.. of the sequence), iat and exp.
	iat, exp := float64(later.Unix()), float64(later.Add(time.Hour).Unix())
	_, idClaims := parseJWT(t, got.IDToken, iss.JWKS())
	diffClaims(t, "refreshed id token", idClaims, claimsAt(golden(t, "id_token_claims.json"),
		"jti", "60616263-6465-4667-a869-6a6b6c6d6e6f", "iat", iat, "exp", exp))
	_, accessClaims := parseJWT(t, got.AccessToken, iss.JWKS())
	diffClaims(t, "refreshed access token", accessClaims, claimsAt(golden(t, "access_token_claims.json"),
		"jti", "70717273-7475-4677-b879-7a7b7c7d7e7f", "iat", iat, "exp", exp))

	if _, err := iss.VerifyAccessToken(got.AccessToken); err != nil {
		t.Errorf("VerifyAccessToken(refreshed): %v", err)
	}
	if _, err := iss.VerifyAccessToken(first.AccessToken); err != nil {
		t.Errorf("VerifyAccessToken(original, not yet expired): %v", err)
	}
}

func TestRefreshTokenExpires(t *testing.T) {
	iss, clk := newIssuer(t, tokens.WithRefreshTokenValidity(24*time.Hour))
	tok, err := iss.Issue(testUser, authTime)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	clk.Set(t0.Add(24*time.Hour - time.Second))
	if _, err := iss.Refresh(tok.RefreshToken); err != nil {
		t.Errorf("Refresh a second before expiry: %v", err)
	}
	clk.Set(t0.Add(24 * time.Hour))
	if _, err := iss.Refresh(tok.RefreshToken); !errors.Is(err, tokens.ErrExpired) {
		t.Errorf("Refresh at expiry: err = %v, want ErrExpired", err)
	}
}

func TestVerifyAccessToken(t *testing.T) {
	iss, clk := newIssuer(t)
	tok, err := iss.Issue(testUser, authTime)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	want := tokens.Claims{
		Sub: testSub, Issuer: testIssuer, ClientID: testClientID,
		OriginJTI: "00010203-0405-4607-8809-0a0b0c0d0e0f",
		EventID:   "10111213-1415-4617-9819-1a1b1c1d1e1f",
		TokenUse:  "access", Scope: "aws.cognito.signin.user.admin",
		AuthTime: authTime.Unix(), IssuedAt: t0.Unix(), ExpiresAt: t0.Add(time.Hour).Unix(),
		JTI: "30313233-3435-4637-b839-3a3b3c3d3e3f", Username: testSub,
	}
	got, err := iss.VerifyAccessToken(tok.AccessToken)
	if err != nil {
		t.Fatalf("VerifyAccessToken: %v", err)
	}
	if got != want {
		t.Errorf("VerifyAccessToken claims\n got %+v\nwant %+v", got, want)
	}

	goodHeader := map[string]any{"kid": iss.KeyID(), "alg": "RS256"}
	accessClaims := golden(t, "access_token_claims.json")
	parts := strings.Split(tok.AccessToken, ".")

	// The other issuer has the same pool but another key.
	other, err := tokens.NewIssuer(testIssuer, testClientID, otherKey(), clk.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherTok, err := other.Issue(testUser, authTime)
	if err != nil {
		t.Fatal(err)
	}

	tampered := decodeSegment(t, parts[1])
	tampered["username"] = "mallory"
	tamperedPayload, _ := json.Marshal(tampered)

	for _, tc := range []struct {
		name string
		tok  string
		want error
	}{
		{"empty", "", tokens.ErrInvalidToken},
		{"two segments", parts[0] + "." + parts[1], tokens.ErrInvalidToken},
		{"four segments", tok.AccessToken + ".x", tokens.ErrInvalidToken},
		{"tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedPayload) + "." + parts[2], tokens.ErrInvalidToken},
		{"truncated signature", tok.AccessToken[:len(tok.AccessToken)-4], tokens.ErrInvalidToken},
		{"signed by another key (other kid)", otherTok.AccessToken, tokens.ErrInvalidToken},
		{"signed by another key with our kid", signJWT(t, otherKey(), goodHeader, accessClaims), tokens.ErrInvalidToken},
		{"alg none", strings.Join([]string{
			base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"` + iss.KeyID() + `","alg":"none"}`)), parts[1], ""}, "."), tokens.ErrInvalidToken},
		{"alg HS256", signJWT(t, signingKey(), map[string]any{"kid": iss.KeyID(), "alg": "HS256"}, accessClaims), tokens.ErrInvalidToken},
		{"id token", tok.IDToken, tokens.ErrInvalidToken},
		{"other pool", signJWT(t, signingKey(), goodHeader, claimsAt(accessClaims, "iss", "http://127.0.0.1:9229/us-east-1_Other")), tokens.ErrInvalidToken},
		{"exp as string", signJWT(t, signingKey(), goodHeader, claimsAt(accessClaims, "exp", "1772370000")), tokens.ErrInvalidToken},
		{"forged by hand, valid", signJWT(t, signingKey(), goodHeader, accessClaims), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iss.VerifyAccessToken(tc.tok)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("VerifyAccessToken: err = %v, want %v", err, tc.want)
			}
		})
	}

	t.Run("expiry", func(t *testing.T) {
		clk.Set(t0.Add(time.Hour - time.Second))
		if _, err := iss.VerifyAccessToken(tok.AccessToken); err != nil {
			t.Errorf("a second before exp: %v", err)
		}
		clk.Set(t0.Add(time.Hour))
		if _, err := iss.VerifyAccessToken(tok.AccessToken); !errors.Is(err, tokens.ErrExpired) {
			t.Errorf("at exp: err = %v, want ErrExpired", err)
		}
	})
}

func TestRevoke(t *testing.T) {
	iss, clk := newIssuer(t)
	one, err := iss.Issue(testUser, authTime)
	if err != nil {
		t.Fatal(err)
	}
	two, err := iss.Issue(testUser, authTime) // another device
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(time.Minute))
	oneRefreshed, err := iss.Refresh(one.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	oneOrigin := mustVerify(t, iss, one.AccessToken).OriginJTI

	if err := iss.Revoke(one.RefreshToken); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if !iss.IsRevoked(oneOrigin) {
		t.Errorf("IsRevoked(%q) = false after Revoke", oneOrigin)
	}
	if _, err := iss.Refresh(one.RefreshToken); !errors.Is(err, tokens.ErrRevoked) {
		t.Errorf("Refresh(revoked): err = %v, want ErrRevoked", err)
	}
	for name, tok := range map[string]string{"original": one.AccessToken, "refreshed": oneRefreshed.AccessToken} {
		if _, err := iss.VerifyAccessToken(tok); !errors.Is(err, tokens.ErrRevoked) {
			t.Errorf("VerifyAccessToken(%s access token of revoked origin): err = %v, want ErrRevoked", name, err)
		}
	}
	// The other sign-in of the same user is untouched.
	if _, err := iss.Refresh(two.RefreshToken); err != nil {
		t.Errorf("Refresh(other sign-in): %v", err)
	}
	if c := mustVerify(t, iss, two.AccessToken); iss.IsRevoked(c.OriginJTI) {
		t.Errorf("other sign-in revoked too")
	}

	if err := iss.Revoke(one.RefreshToken); err != nil {
		t.Errorf("Revoke twice: %v, want nil", err)
	}
	for _, bad := range []string{"", "not-a-token", one.AccessToken} {
		if err := iss.Revoke(bad); !errors.Is(err, tokens.ErrInvalidRefreshToken) {
			t.Errorf("Revoke(%.12q): err = %v, want ErrInvalidRefreshToken", bad, err)
		}
		if _, err := iss.Refresh(bad); !errors.Is(err, tokens.ErrInvalidRefreshToken) {
			t.Errorf("Refresh(%.12q): err = %v, want ErrInvalidRefreshToken", bad, err)
		}
	}
}

func TestRevokeAllFor(t *testing.T) {
	iss, _ := newIssuer(t)
	bob := tokens.User{Sub: "5f0c2d1e-0000-4000-8000-000000000002", Username: "bob"}
	var alice []tokens.AuthResult
	for range 2 {
		tok, err := iss.Issue(testUser, authTime)
		if err != nil {
			t.Fatal(err)
		}
		alice = append(alice, tok)
	}
	bobs, err := iss.Issue(bob, authTime)
	if err != nil {
		t.Fatal(err)
	}
	if err := iss.Revoke(alice[0].RefreshToken); err != nil {
		t.Fatal(err)
	}

	if n := iss.RevokeAllFor(testUser.Username); n != 1 {
		t.Errorf("RevokeAllFor = %d, want 1 (one sign-in was already revoked)", n)
	}
	for i, tok := range alice {
		if _, err := iss.Refresh(tok.RefreshToken); !errors.Is(err, tokens.ErrRevoked) {
			t.Errorf("Refresh(alice %d): err = %v, want ErrRevoked", i, err)
		}
		if _, err := iss.VerifyAccessToken(tok.AccessToken); !errors.Is(err, tokens.ErrRevoked) {
			t.Errorf("VerifyAccessToken(alice %d): err = %v, want ErrRevoked", i, err)
		}
	}
	if _, err := iss.VerifyAccessToken(bobs.AccessToken); err != nil {
		t.Errorf("bob's token after alice's global sign-out: %v", err)
	}
	if n := iss.RevokeAllFor(testUser.Username); n != 0 {
		t.Errorf("RevokeAllFor again = %d, want 0", n)
	}
}

func TestNewIssuerValidates(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, issuer, clientID string
		key                    *rsa.PrivateKey
		opts                   []tokens.Option
	}{
		{"no pool id", "http://127.0.0.1:9229", testClientID, signingKey(), nil},
		{"not http", "ftp://127.0.0.1/us-east-1_Abc", testClientID, signingKey(), nil},
		{"no host", "http:///us-east-1_Abc", testClientID, signingKey(), nil},
		{"not a URL", "://", testClientID, signingKey(), nil},
		{"empty client id", testIssuer, "", signingKey(), nil},
		{"nil key", testIssuer, testClientID, nil, nil},
		{"1024-bit key", testIssuer, testClientID, small, nil},
		{"zero token validity", testIssuer, testClientID, signingKey(), []tokens.Option{tokens.WithTokenValidity(0)}},
		{"zero refresh validity", testIssuer, testClientID, signingKey(), []tokens.Option{tokens.WithRefreshTokenValidity(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tokens.NewIssuer(tc.issuer, tc.clientID, tc.key, nil, nil, tc.opts...); err == nil {
				t.Errorf("NewIssuer succeeded, want an error")
			}
		})
	}

	// A trailing slash is dropped; nil clock and randomness default to the real ones.
	iss, err := tokens.NewIssuer(testIssuer+"/", testClientID, signingKey(), nil, nil, tokens.WithTokenValidity(5*time.Minute))
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	tok, err := iss.Issue(testUser, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if c := mustVerify(t, iss, tok.AccessToken); c.Issuer != testIssuer || tok.ExpiresIn != 300 || c.ExpiresAt-c.IssuedAt != 300 {
		t.Errorf("iss %q, ExpiresIn %d, exp-iat %d; want %q, 300, 300", c.Issuer, tok.ExpiresIn, c.ExpiresAt-c.IssuedAt, testIssuer)
	}
}

func TestConcurrentUse(t *testing.T) {
	iss, err := tokens.NewIssuer(testIssuer, testClientID, signingKey(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			user := tokens.User{Sub: testSub, Username: string(rune('a' + g))}
			for range 5 {
				tok, err := iss.Issue(user, time.Time{})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := iss.Refresh(tok.RefreshToken); err != nil {
					t.Error(err)
				}
				if _, err := iss.VerifyAccessToken(tok.AccessToken); err != nil {
					t.Error(err)
				}
				_ = iss.Revoke(tok.RefreshToken)
				iss.RevokeAllFor(user.Username)
			}
		})
	}
	wg.Wait()
}

func mustVerify(t *testing.T, iss *tokens.Issuer, tok string) tokens.Claims {
	t.Helper()
	c, err := iss.VerifyAccessToken(tok)
	if err != nil {
		t.Fatalf("VerifyAccessToken: %v", err)
	}
	return c
}
