package tokens_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func TestJWKS(t *testing.T) {
	iss, _ := newIssuer(t)
	pub := signingKey().PublicKey
	want := fmt.Sprintf(`{"keys":[{"alg":"RS256","e":"AQAB","kid":%q,"kty":"RSA","n":%q,"use":"sig"}]}`,
		iss.KeyID(), base64.RawURLEncoding.EncodeToString(pub.N.Bytes()))
	if got := string(iss.JWKS()); got != want {
		t.Errorf("JWKS()\n got %s\nwant %s", got, want)
	}
	if k := publicKeyFromJWKS(t, iss.JWKS(), iss.KeyID()); !k.Equal(&pub) {
		t.Errorf("key rebuilt from the JWKS differs from the signing key")
	}
	// Callers can't corrupt the served document.
	iss.JWKS()[0] = 'x'
	if got := string(iss.JWKS()); got != want {
		t.Errorf("JWKS() changed after a caller wrote to its result")
	}
}

func TestOpenIDConfiguration(t *testing.T) {
	iss, _ := newIssuer(t)
	want, err := os.ReadFile("testdata/openid_configuration.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := iss.OpenIDConfiguration(); !bytes.Equal(got, want) {
		t.Errorf("OpenIDConfiguration()\n got %s\nwant %s", got, want)
	}
}

func TestHandler(t *testing.T) {
	iss, _ := newIssuer(t)
	srv := httptest.NewServer(iss.Handler())
	defer srv.Close()

	for _, tc := range []struct {
		name, method, path string
		wantStatus         int
		wantBody           []byte // checked when status is 200
	}{
		{"jwks", http.MethodGet, "/us-east-1_Abc/.well-known/jwks.json", 200, iss.JWKS()},
		{"openid configuration", http.MethodGet, "/us-east-1_Abc/.well-known/openid-configuration", 200, iss.OpenIDConfiguration()},
		{"head", http.MethodHead, "/us-east-1_Abc/.well-known/jwks.json", 200, []byte{}},
		{"another pool id", http.MethodGet, "/us-east-1_Other/.well-known/jwks.json", 404, nil},
		{"no pool id", http.MethodGet, "/.well-known/jwks.json", 404, nil},
		{"pool id with a trailing slash", http.MethodGet, "/us-east-1_Abc/.well-known/jwks.json/", 404, nil},
		{"unknown document", http.MethodGet, "/us-east-1_Abc/.well-known/other", 404, nil},
		{"post", http.MethodPost, "/us-east-1_Abc/.well-known/jwks.json", 405, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus != 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if !bytes.Equal(body, tc.wantBody) {
				t.Errorf("body\n got %s\nwant %s", body, tc.wantBody)
			}
		})
	}
}
