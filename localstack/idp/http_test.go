package idp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

const webOrigin = "http://localhost:5173"

func TestCORSPreflight(t *testing.T) {
	p := newPool(t)
	req, err := http.NewRequest(http.MethodOptions, p.url+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	const asked = "content-type,x-amz-target,x-amz-user-agent,cache-control"
	req.Header.Set("Origin", webOrigin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", asked)

	res, _ := p.do(t, req)
	if res.StatusCode != http.StatusNoContent {
		t.Errorf("status = %d, want 204", res.StatusCode)
	}
	h := res.Header
	if got := h.Get("Access-Control-Allow-Origin"); got != webOrigin {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, webOrigin)
	}
	if got := h.Get("Access-Control-Allow-Headers"); got != asked {
		t.Errorf("Access-Control-Allow-Headers = %q, want %q", got, asked)
	}
	if got := h.Get("Access-Control-Allow-Methods"); !hasToken(got, "POST") {
		t.Errorf("Access-Control-Allow-Methods = %q, want POST among them", got)
	}
}

func TestCORSOnAPICall(t *testing.T) {
	p := newPool(t)
	tests := []struct {
		name, target, body string
	}{
		{"success", "AWSCognitoIdentityProviderService.SignUp",
			`{"ClientId":"` + clientID + `","Username":"` + phoneBob + `","Password":"` + password + `"}`},
		{"error", "AWSCognitoIdentityProviderService.GetUser", `{"AccessToken":"not-a-token"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := p.do(t, fromPage(t, p.url, webOrigin, tt.target, tt.body))
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != webOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, webOrigin)
			}
			if got := res.Header.Get("Access-Control-Expose-Headers"); !hasToken(got, "x-amzn-RequestId") {
				t.Errorf("Access-Control-Expose-Headers = %q, want x-amzn-RequestId among them", got)
			}
			if res.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
	t.Run("no Origin, no CORS headers", func(t *testing.T) {
		res, _ := p.post(t, tests[0].target, "application/x-amz-json-1.1", tests[0].body)
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q without an Origin", got)
		}
	})
}

// fromPage is an API call as a page at origin makes it from a browser.
func fromPage(t *testing.T, url, origin, target, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	return req
}

// hasToken reports whether the comma-separated header value lists tok,
// ignoring case.
func hasToken(list, tok string) bool {
	for _, v := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(v), tok) {
			return true
		}
	}
	return false
}

func TestWellKnownJWKS(t *testing.T) {
	p := newPool(t)
	res, err := p.server.Client().Get(p.url + "/" + poolID + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, Content-Type %q; want 200 JSON", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !bytes.Equal(body, p.issuer.JWKS()) {
		t.Errorf("JWKS = %s, want the issuer's %s", body, p.issuer.JWKS())
	}
	var doc struct {
		Keys []struct{ Kid, Kty, Alg, Use string } `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 1 || doc.Keys[0].Kid != p.issuer.KeyID() || doc.Keys[0].Kty != "RSA" || doc.Keys[0].Alg != "RS256" {
		t.Errorf("keys = %+v, want one RS256 RSA key with kid %s", doc.Keys, p.issuer.KeyID())
	}

	// Another pool's path is not served.
	res, _ = p.do(t, mustRequest(t, http.MethodGet, p.url+"/us-east-1_Other/.well-known/jwks.json"))
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("another pool's JWKS: status %d, want 404", res.StatusCode)
	}
}

func TestBanner(t *testing.T) {
	p := newPool(t)
	res, err := p.server.Client().Get(p.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("status %d, Content-Type %q; want 200 text/plain", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{poolID, clientID} {
		if !strings.Contains(string(body), want) {
			t.Errorf("banner %q does not name %s", body, want)
		}
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// The request log has a line per request and never a phone number or a code.
func TestRequestLog(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	p.signUp(t, phoneAlice)
	ch := challengeOf(p.initiate(t, phoneAlice, nil))
	if _, err := p.answer(ch, wrongCode, nil); err != nil {
		t.Fatal(err)
	}
	tok := p.signIn(t, phoneAlice) // InitiateAuth + RespondToAuthChallenge
	if _, err := p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.answer(ch, goodCode, nil); err == nil { // an error: the session is used
		t.Fatal("a used session was accepted")
	}
	if _, err := p.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(phoneAlice)}); err != nil {
		t.Fatal(err)
	}
	p.server.Close() // waits for the handlers, and so for their log lines

	wantOps := []string{
		"SignUp", "InitiateAuth", "RespondToAuthChallenge", "InitiateAuth", "RespondToAuthChallenge",
		"GetUser", "RespondToAuthChallenge", "AdminGetUser",
	}
	lines := p.log.lines(t)
	if len(lines) != len(wantOps) {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(wantOps), p.log.String())
	}
	for i, l := range lines {
		if l["op"] != wantOps[i] {
			t.Errorf("line %d: op = %v, want %s", i+1, l["op"], wantOps[i])
		}
		if _, ok := l["status"].(float64); !ok {
			t.Errorf("line %d: no status in %v", i+1, l)
		}
	}
	if s := lines[6]["status"]; s != float64(http.StatusBadRequest) {
		t.Errorf("failed request logged with status %v, want 400", s)
	}

	log := p.log.String()
	if m := regexp.MustCompile(`\+\d{7,}`).FindString(log); m != "" {
		t.Errorf("log contains the phone number %s:\n%s", m, log)
	}
	if strings.Contains(log, goodCode) {
		t.Errorf("log contains the code %s:\n%s", goodCode, log)
	}
}

// Finding 4 of the adversarial run: CORS allowed every origin on the
// unauthenticated admin operations, so a page a developer visited could list
// their local users and full numbers. Admin operations now get no CORS
// headers and refuse any request with an Origin; without one (the CLI, an
// SDK outside a browser) they work as before.
func TestAdminOperationsRefuseBrowsers(t *testing.T) {
	p := newPool(t)
	p.signUp(t, phoneAlice)
	const evil = "https://evil.example"
	admin := []struct{ op, body string }{
		{"ListUsers", `{"UserPoolId":"` + poolID + `"}`},
		{"AdminGetUser", `{"UserPoolId":"` + poolID + `","Username":"` + phoneAlice + `"}`},
		{"AdminCreateUser", `{"UserPoolId":"` + poolID + `","Username":"` + phoneBob + `"}`},
		{"AdminDeleteUser", `{"UserPoolId":"` + poolID + `","Username":"` + phoneAlice + `"}`},
		{"AdminUpdateUserAttributes", `{"UserPoolId":"` + poolID + `","Username":"` + phoneAlice + `","UserAttributes":[]}`},
		{"AdminConfirmSignUp", `{"UserPoolId":"` + poolID + `","Username":"` + phoneAlice + `"}`},
	}
	for _, tt := range admin {
		t.Run(tt.op, func(t *testing.T) {
			res, body := p.do(t, fromPage(t, p.url, evil, "AWSCognitoIdentityProviderService."+tt.op, tt.body))
			if res.StatusCode != http.StatusBadRequest || body["__type"] != "AccessDeniedException" {
				t.Errorf("%s from a browser: %d %v, want 400 AccessDeniedException", tt.op, res.StatusCode, body)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("Access-Control-Allow-Origin = %q on an admin operation", got)
			}
		})
	}
	// Nothing changed: Alice is still there, Bob was not created.
	out, err := p.api.ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("ListUsers without an Origin: %v", err)
	}
	if len(out.Users) != 1 {
		t.Errorf("%d users after refused admin calls, want 1", len(out.Users))
	}
}

// Finding 6 of the adversarial run: attacker-chosen X-Amz-Target values and
// paths were logged as given. Only known values are logged now; anything
// else is a fixed word and its length.
func TestRequestLogKeepsOnlyKnownValues(t *testing.T) {
	p := newPool(t)
	const forged = `AWSCognitoIdentityProviderService.ListUsers","admin":"` + phoneAlice
	p.post(t, forged, "application/x-amz-json-1.1", `{}`)
	p.post(t, "Evil.ListUsers", "application/x-amz-json-1.1", `{}`)
	p.do(t, mustRequest(t, http.MethodGet, p.url+"/"+phoneBob+"/.well-known/jwks.json"))
	p.do(t, mustRequest(t, http.MethodGet, p.url+"/"+poolID+"/.well-known/jwks.json"))
	p.server.Close()

	want := []map[string]any{
		{"op": "other(" + strconv.Itoa(len(forged)) + ")", "path": "/"},
		{"op": "other(14)", "path": "/"},
		{"op": "", "path": "other(" + strconv.Itoa(len("/"+phoneBob+"/.well-known/jwks.json")) + ")"},
		{"op": "", "path": "/" + poolID + "/.well-known/jwks.json"},
	}
	lines := p.log.lines(t)
	if len(lines) != len(want) {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(want), p.log.String())
	}
	for i, l := range lines {
		for k, v := range want[i] {
			if l[k] != v {
				t.Errorf("line %d: %s = %q, want %q", i+1, k, l[k], v)
			}
		}
	}
	for _, s := range []string{phoneAlice, phoneBob, "Evil", `"admin"`} {
		if strings.Contains(p.log.String(), s) {
			t.Errorf("log contains %q:\n%s", s, p.log.String())
		}
	}
}
