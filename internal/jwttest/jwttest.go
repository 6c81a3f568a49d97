// Package jwttest makes and reads RS256 JSON Web Tokens in tests: forged
// tokens for the verifiers, and the claims of real ones.
package jwttest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// Sign makes an RS256 JWS of header and payload by hand, so tests can
// forge what an issuer would never sign.
func Sign(t testing.TB, key *rsa.PrivateKey, header, payload any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	digest := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Claims decodes a token's payload without checking its signature.
func Claims(t testing.TB, tok string) map[string]any {
	t.Helper()
	var c map[string]any
	Part(t, tok, 1, &c)
	return c
}

// Part decodes part i (0 header, 1 payload) of a token into v.
func Part(t testing.TB, tok string, i int, v any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("token part %d: %v", i, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("token part %d: %v", i, err)
	}
}
