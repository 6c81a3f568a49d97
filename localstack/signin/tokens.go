package signin

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// showResult prints what a signed-in app would get, without the secrets
// unless --show-tokens: the ID token is verified first if --pool-id is
// given, so claims are never shown as the pool's when they are not.
func (s *signer) showResult(ctx context.Context, res *types.AuthenticationResultType) error {
	fmt.Fprintln(s.out, "Signed in.")
	idToken := aws.ToString(res.IdToken)
	if s.opts.poolID != "" {
		url := s.jwksURL()
		if err := s.verifyIDToken(ctx, url, idToken); err != nil {
			return fmt.Errorf("verify ID token: %w", err)
		}
		fmt.Fprintf(s.out, "ID token signature verified against JWKS %s.\n", url)
	} else {
		fmt.Fprintln(s.out, "ID token not verified (--pool-id verifies it against the pool's JWKS).")
	}
	if err := printClaims(s.out, idToken); err != nil {
		return fmt.Errorf("show ID token: %w", err)
	}
	fmt.Fprintln(s.out, accessExpiry(res))
	if s.opts.showTokens {
		fmt.Fprintf(s.out, "ID token: %s\nAccess token: %s\nRefresh token: %s\n",
			idToken, aws.ToString(res.AccessToken), aws.ToString(res.RefreshToken))
	} else if aws.ToString(res.RefreshToken) != "" {
		fmt.Fprintln(s.out, "Tokens and the refresh token are not shown; --show-tokens prints them.")
	}
	return nil
}

// jwt is a compact JWS split into its parts.
type jwt struct {
	header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	payload      []byte
	signingInput string // header.payload, as signed
	signature    []byte
}

func parseJWT(tok string) (jwt, error) {
	var t jwt
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return t, fmt.Errorf("not a JWT: %d parts, want 3", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return t, fmt.Errorf("JWT header: %w", err)
	}
	if err := json.Unmarshal(header, &t.header); err != nil {
		return t, fmt.Errorf("JWT header: %w", err)
	}
	if t.payload, err = base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
		return t, fmt.Errorf("JWT payload: %w", err)
	}
	if t.signature, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return t, fmt.Errorf("JWT signature: %w", err)
	}
	t.signingInput = parts[0] + "." + parts[1]
	return t, nil
}

// printClaims prints the token's claims as indented JSON with sorted keys
// (encoding/json sorts map keys), numbers exactly as sent.
func printClaims(w io.Writer, tok string) error {
	t, err := parseJWT(tok)
	if err != nil {
		return err
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(t.payload))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return fmt.Errorf("JWT payload: %w", err)
	}
	fmt.Fprintln(w, "ID token claims:")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(claims)
}

// accessExpiry says when the access token expires: the exp claim if the
// token has one (read, not verified: it is only shown), and ExpiresIn.
func accessExpiry(res *types.AuthenticationResultType) string {
	in := "Access token expires in " + humanSeconds(int(res.ExpiresIn)) + "."
	t, err := parseJWT(aws.ToString(res.AccessToken))
	if err != nil {
		return in
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(t.payload, &c) != nil || c.Exp == 0 {
		return in
	}
	at := time.Unix(c.Exp, 0).UTC().Format(time.RFC3339)
	return fmt.Sprintf("Access token expires at %s (in %s).", at, humanSeconds(int(res.ExpiresIn)))
}

// issuer is the pool's token issuer, which is also where its JWKS lives.
func (s *signer) issuer() string {
	base := strings.TrimRight(s.opts.endpoint, "/")
	if base == "" {
		base = "https://cognito-idp." + s.opts.region + ".amazonaws.com"
	}
	return base + "/" + s.opts.poolID
}

func (s *signer) jwksURL() string { return s.issuer() + "/.well-known/jwks.json" }

// verifyIDToken checks the RS256 signature with the pool's key, then that
// the token is an ID token this pool issued to this client.
func (s *signer) verifyIDToken(ctx context.Context, jwksURL, tok string) error {
	keys, err := fetchJWKS(ctx, s.http, jwksURL)
	if err != nil {
		return err
	}
	t, err := parseJWT(tok)
	if err != nil {
		return err
	}
	if t.header.Alg != "RS256" {
		return fmt.Errorf("alg %q, want RS256", t.header.Alg)
	}
	key, ok := keys[t.header.Kid]
	if !ok {
		return fmt.Errorf("kid %q is not in the JWKS", t.header.Kid)
	}
	digest := sha256.Sum256([]byte(t.signingInput))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], t.signature); err != nil {
		return fmt.Errorf("signature does not match kid %q: %w", t.header.Kid, err)
	}
	return s.checkIDClaims(t.payload)
}

// checkIDClaims checks who issued the token, for whom and for what. Expiry
// is not checked: the token was issued a moment ago.
func (s *signer) checkIDClaims(payload []byte) error {
	var c struct {
		Iss      string `json:"iss"`
		Aud      string `json:"aud"`
		TokenUse string `json:"token_use"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return fmt.Errorf("JWT payload: %w", err)
	}
	switch {
	case c.Iss != s.issuer():
		return fmt.Errorf("iss %q, want %q", c.Iss, s.issuer())
	case c.Aud != s.opts.clientID:
		return fmt.Errorf("aud %q, want the client id %q", c.Aud, s.opts.clientID)
	case c.TokenUse != "id":
		return fmt.Errorf("token_use %q, want \"id\"", c.TokenUse)
	}
	return nil
}

// maxJWKSBytes bounds the JWKS read; Cognito's holds two keys, ~1 KiB.
const maxJWKSBytes = 1 << 20

// fetchJWKS returns the RSA signing keys of a JWKS by kid.
func fetchJWKS(ctx context.Context, hc *http.Client, url string) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("JWKS request: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: HTTP %s", url, resp.Status)
	}
	var set struct {
		Keys []struct {
			Kid, Kty, Alg, N, E string
		} `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSBytes)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode JWKS %s: %w", url, err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Alg != "" && k.Alg != "RS256") {
			continue // not a key that can verify RS256
		}
		pub, err := rsaKey(k.N, k.E)
		if err != nil {
			return nil, fmt.Errorf("JWKS key %q: %w", k.Kid, err)
		}
		keys[k.Kid] = pub
	}
	return keys, nil
}

// rsaKey builds a public key from a JWK's base64url modulus and exponent.
func rsaKey(n64, e64 string) (*rsa.PublicKey, error) {
	n, err := base64.RawURLEncoding.DecodeString(n64)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	e, err := base64.RawURLEncoding.DecodeString(e64)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	exp := new(big.Int).SetBytes(e)
	if len(n) == 0 || !exp.IsInt64() || exp.Int64() < 3 || exp.Int64() > 1<<31-1 {
		return nil, errors.New("modulus or exponent out of range")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, nil
}
