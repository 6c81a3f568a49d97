package tokens_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/jwttest"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

// The helpers here re-implement JWT parsing, JWKS reading and RS256
// verification from the RFCs, without calling the package, so the tests
// check what a real client would see.

const (
	testIssuer   = "http://127.0.0.1:9229/us-east-1_Abc"
	testClientID = "3n4b5urk1ft4fl3mg5e62d9ado"
	testSub      = "8d4e6a2c-1f0b-4c3e-9a57-2b6f0d9e1c44"
)

var (
	// 2026-03-01T12:00:00Z; the user authenticated five seconds earlier.
	t0       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	authTime = t0.Add(-5 * time.Second)

	testUser = tokens.User{
		Sub:      testSub,
		Username: testSub,
		Attributes: map[string]string{
			"sub":                   testSub,
			"phone_number":          "+447700900123",
			"phone_number_verified": "true",
		},
	}
)

// 2048-bit keys are slow enough to make once per test binary.
var (
	signingKey = sync.OnceValue(func() *rsa.PrivateKey { return genKey(2048) })
	otherKey   = sync.OnceValue(func() *rsa.PrivateKey { return genKey(2048) })
)

func genKey(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

type clock = testutil.Clock

// seqReader yields the bytes 0x00, 0x01, 0x02, ... so UUIDs and refresh
// tokens are known in advance.
type seqReader struct{ n byte }

func (r *seqReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

// newIssuer returns an issuer for testIssuer with the signing key, a clock at
// t0 and sequential randomness.
func newIssuer(t *testing.T, opts ...tokens.Option) (*tokens.Issuer, *clock) {
	t.Helper()
	c := testutil.NewClock(t0)
	iss, err := tokens.NewIssuer(testIssuer, testClientID, signingKey(), c.Now, &seqReader{}, opts...)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss, c
}

// publicKeyFromJWKS rebuilds the RSA key with the given kid from JWKS JSON.
func publicKeyFromJWKS(t *testing.T, jwks []byte, kid string) *rsa.PublicKey {
	t.Helper()
	var set struct {
		Keys []struct {
			Alg, E, Kid, Kty, N, Use string
		} `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	for _, k := range set.Keys {
		if k.Kid != kid {
			continue
		}
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
			t.Fatalf("JWK %q: kty=%q alg=%q use=%q", kid, k.Kty, k.Alg, k.Use)
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil {
			t.Fatalf("JWK n: %v", err)
		}
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		if err != nil {
			t.Fatalf("JWK e: %v", err)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	t.Fatalf("no key %q in JWKS %s", kid, jwks)
	return nil
}

// parseJWT splits tok by hand, checks it is an RS256 JWS whose kid is in
// jwks, verifies the signature with the key rebuilt from the JWKS, and
// returns the header and payload as generic JSON.
func parseJWT(t *testing.T, tok string, jwks []byte) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT has %d parts, want 3: %q", len(parts), tok)
	}
	header = decodeSegment(t, parts[0])
	payload = decodeSegment(t, parts[1])
	if header["alg"] != "RS256" {
		t.Fatalf("header alg = %v, want RS256", header["alg"])
	}
	kid, _ := header["kid"].(string)
	pub := publicKeyFromJWKS(t, jwks, kid)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature segment: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature does not verify with the JWKS key: %v", err)
	}
	return header, payload
}

func decodeSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("segment is not unpadded base64url: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("segment is not a JSON object: %v: %s", err, b)
	}
	return m
}

// signJWT makes an RS256 JWS by hand, so tests can forge tokens.
func signJWT(t *testing.T, key *rsa.PrivateKey, header, payload any) string {
	t.Helper()
	return jwttest.Sign(t, key, header, payload)
}

// golden reads testdata/name as generic JSON.
func golden(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// diffClaims reports claim by claim how got differs from want.
func diffClaims(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: claim %q missing, want %#v", what, k, w)
		case !reflect.DeepEqual(g, w):
			t.Errorf("%s: claim %q = %#v (%T), want %#v (%T)", what, k, g, g, w, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected claim %q = %#v", what, k, g)
		}
	}
}

// claimsAt returns a copy of m with the given claims replaced.
func claimsAt(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}
