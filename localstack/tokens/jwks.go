package tokens

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
)

// keyID derives a kid from the public key: standard base64 (with padding) of
// the SHA-256 of its PKIX DER encoding. That is the shape of Cognito's kids,
// 44 characters such as "vyVQH7UMjwYboVvyFf+zd4KHZfgc+RtmU/A2vHhgITI=", and
// it changes when the key does.
func keyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("tokens: key id: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// jwk is one key of a JWKS, fields in Cognito's (alphabetical) order.
type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

func jwksDocument(kid string, pub *rsa.PublicKey) ([]byte, error) {
	return json.Marshal(struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{{
		Alg: "RS256",
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Kid: kid,
		Kty: "RSA",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		Use: "sig",
	}}})
}

// openIDDocument is what Cognito serves at
// /{poolId}/.well-known/openid-configuration, less the hosted-UI endpoints
// (authorization, token, userInfo), which the local stack does not serve.
func openIDDocument(issuer string) ([]byte, error) {
	return json.Marshal(struct {
		IDTokenSigningAlgs []string `json:"id_token_signing_alg_values_supported"`
		Issuer             string   `json:"issuer"`
		JWKSURI            string   `json:"jwks_uri"`
		ResponseTypes      []string `json:"response_types_supported"`
		Scopes             []string `json:"scopes_supported"`
		SubjectTypes       []string `json:"subject_types_supported"`
	}{
		IDTokenSigningAlgs: []string{"RS256"},
		Issuer:             issuer,
		JWKSURI:            issuer + "/.well-known/jwks.json",
		ResponseTypes:      []string{"code", "token"},
		Scopes:             []string{"openid", "email", "phone", "profile"},
		SubjectTypes:       []string{"public"},
	})
}

// JWKS returns the pool's JSON Web Key Set: {"keys":[{"alg":"RS256",...}]}.
func (i *Issuer) JWKS() []byte { return append([]byte(nil), i.jwks...) }

// OpenIDConfiguration returns the pool's OpenID Provider configuration.
func (i *Issuer) OpenIDConfiguration() []byte { return append([]byte(nil), i.openID...) }

// Handler serves GET (and HEAD) /{poolId}/.well-known/jwks.json and
// /{poolId}/.well-known/openid-configuration for this issuer's pool, and 404
// for any other path, another pool id included.
func (i *Issuer) Handler() http.Handler {
	prefix, _ := poolPath(i.issuer) // checked by NewIssuer
	docs := map[string][]byte{
		prefix + "/.well-known/jwks.json":            i.jwks,
		prefix + "/.well-known/openid-configuration": i.openID,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(doc)
		}
	})
}
