package signin

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/jwttest"
)

// fakePool plays a user pool with this project's triggers, behind an
// httptest server that speaks Cognito's AWS JSON 1.1 protocol: POST / with
// X-Amz-Target AWSCognitoIdentityProviderService.<Op>, 200 with a JSON body
// or 400 with {"__type", "message"}. Requests and responses are shaped from
// the Cognito API reference (SignUp, InitiateAuth, RespondToAuthChallenge,
// AuthenticationResultType), not from what this package's client sends. It
// also serves the pool's JWKS at /{poolId}/.well-known/jwks.json, as Cognito
// and the local stack do.
type fakePool struct {
	URL string

	// Set before Run.
	registered  bool                // SignUp answers UsernameExistsException
	maxAttempts int                 // wrong answers before NotAuthorizedException
	errs        map[string]apiError // operation -> error it returns instead
	idToken     string              // issued on a right answer
	accessToken string

	mu       sync.Mutex
	calls    []call
	sessions []string // every session issued, in order
	wrong    int
	decoy    bool // the live challenge is for an unregistered number
}

// call is one request received.
type call struct {
	op   string
	body []byte
}

// apiError is a modeled Cognito error.
type apiError struct{ typ, message string }

const (
	testClientID = "3n4b5urk1ft4fl3mg5e62d9ado"
	testPoolID   = "us-east-1_Abc123"
	testPhone    = "+14155550123"
	testMasked   = "+*******0123"
	testCode     = "123456"
	// testUsername is the user's internal name. In a pool that signs in by
	// phone number, Cognito puts it, not the number, in the challenge's
	// USERNAME, and the answer must carry it.
	testUsername = "8d4e6a2c-1f0b-4c3e-9a57-2b6f0d9e1c44"
	testKid      = "ZpL0gVH2+1c8CX6rkTUPdLjMeOT0tPcnnGXRO7E8NKQ="
	testRefresh  = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.refresh-secret"

	awsJSON      = "application/x-amz-json-1.1"
	targetPrefix = "AWSCognitoIdentityProviderService."
)

// newFakePool starts a fake pool whose tokens are signed by signingKey and
// whose user is registered or not.
func newFakePool(t *testing.T) *fakePool {
	t.Helper()
	f := &fakePool{maxAttempts: 3, errs: map[string]apiError{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	f.idToken = signJWT(t, signingKey(), testKid, idClaims(f.issuer(), testClientID))
	f.accessToken = signJWT(t, signingKey(), testKid, accessClaims(f.issuer()))
	return f
}

func (f *fakePool) issuer() string { return f.URL + "/" + testPoolID }

// Requests, as the API reference names their members. Decoding refuses
// members the reference does not list.
type (
	attributeType struct{ Name, Value string }

	signUpRequest struct {
		ClientId          string
		Username          string
		Password          string
		SecretHash        string
		UserAttributes    []attributeType
		ValidationData    []attributeType
		ClientMetadata    map[string]string
		AnalyticsMetadata json.RawMessage
		UserContextData   json.RawMessage
	}
	initiateAuthRequest struct {
		AuthFlow          string
		AuthParameters    map[string]string
		ClientId          string
		ClientMetadata    map[string]string
		Session           string
		AnalyticsMetadata json.RawMessage
		UserContextData   json.RawMessage
	}
	respondRequest struct {
		ChallengeName      string
		ChallengeResponses map[string]string
		ClientId           string
		Session            string
		ClientMetadata     map[string]string
		AnalyticsMetadata  json.RawMessage
		UserContextData    json.RawMessage
	}
)

// ServeHTTP serves the JWKS on GET and the API on POST /.
func (f *fakePool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		f.serveJWKS(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	f.mu.Lock()
	f.calls = append(f.calls, call{op: op, body: body})
	f.mu.Unlock()
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/" || !ok:
		writeError(w, apiError{"UnknownOperationException", "not a Cognito operation"})
		return
	case r.Header.Get("Content-Type") != awsJSON:
		writeError(w, apiError{"SerializationException", "Content-Type must be " + awsJSON})
		return
	}
	var (
		out  any
		aerr *apiError
	)
	switch op {
	case "SignUp":
		out, aerr = f.signUp(body)
	case "InitiateAuth":
		out, aerr = f.initiateAuth(body)
	case "RespondToAuthChallenge":
		out, aerr = f.respond(body)
	default:
		aerr = &apiError{"UnknownOperationException", "the fake does not implement " + op}
	}
	if aerr != nil {
		writeError(w, *aerr)
		return
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", awsJSON)
	w.Header().Set("x-amzn-RequestId", "fake-request")
	w.Write(b)
}

func writeError(w http.ResponseWriter, e apiError) {
	b, _ := json.Marshal(map[string]string{"__type": e.typ, "message": e.message})
	w.Header().Set("Content-Type", awsJSON)
	w.Header().Set("x-amzn-RequestId", "fake-request")
	w.WriteHeader(http.StatusBadRequest)
	w.Write(b)
}

func decodeStrict(body []byte, v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &apiError{"SerializationException", err.Error()}
	}
	return nil
}

func checkClient(id string) *apiError {
	if id != testClientID {
		return &apiError{"ResourceNotFoundException", "User pool client " + id + " does not exist."}
	}
	return nil
}

func (f *fakePool) injected(op string) *apiError {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.errs[op]; ok {
		return &e
	}
	return nil
}

func (f *fakePool) signUp(body []byte) (any, *apiError) {
	var req signUpRequest
	if e := decodeStrict(body, &req); e != nil {
		return nil, e
	}
	if e := checkClient(req.ClientId); e != nil {
		return nil, e
	}
	if len(req.Password) < 8 {
		return nil, &apiError{"InvalidPasswordException", "Password did not conform with policy: Password not long enough"}
	}
	// template.yaml's app client writes locale only; the username fills
	// phone_number, and the client must send nothing else.
	if len(req.UserAttributes) != 0 {
		return nil, &apiError{"NotAuthorizedException", "A client attempted to write unauthorized attribute"}
	}
	if e := f.injected("SignUp"); e != nil {
		return nil, e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.registered {
		return nil, &apiError{"UsernameExistsException", "User already exists"}
	}
	f.registered = true
	return map[string]any{"UserConfirmed": true, "UserSub": testUsername}, nil
}

func (f *fakePool) initiateAuth(body []byte) (any, *apiError) {
	var req initiateAuthRequest
	if e := decodeStrict(body, &req); e != nil {
		return nil, e
	}
	if e := checkClient(req.ClientId); e != nil {
		return nil, e
	}
	if req.AuthFlow != "CUSTOM_AUTH" || req.AuthParameters["USERNAME"] == "" {
		return nil, &apiError{"InvalidParameterException", "want AuthFlow CUSTOM_AUTH with USERNAME"}
	}
	if e := f.injected("InitiateAuth"); e != nil {
		return nil, e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// An unregistered number gets a decoy that looks the same and that no
	// answer passes (docs/app-developers.md, section 1).
	f.decoy = !f.registered || req.AuthParameters["USERNAME"] != testPhone
	f.wrong = 0
	return f.challengeLocked(180), nil
}

func (f *fakePool) respond(body []byte) (any, *apiError) {
	var req respondRequest
	if e := decodeStrict(body, &req); e != nil {
		return nil, e
	}
	if e := checkClient(req.ClientId); e != nil {
		return nil, e
	}
	if req.ChallengeName != "CUSTOM_CHALLENGE" || req.ChallengeResponses["ANSWER"] == "" {
		return nil, &apiError{"InvalidParameterException", "want CUSTOM_CHALLENGE with ANSWER"}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sessions) == 0 || req.Session != f.sessions[len(f.sessions)-1] {
		return nil, &apiError{"NotAuthorizedException", "Invalid session for the user, session is expired."}
	}
	if req.ChallengeResponses["USERNAME"] != testUsername {
		return nil, &apiError{"NotAuthorizedException", "Incorrect username or password."}
	}
	if e, ok := f.errs["RespondToAuthChallenge"]; ok {
		return nil, &e
	}
	answer := strings.Join(strings.Fields(req.ChallengeResponses["ANSWER"]), "")
	if answer == testCode && !f.decoy {
		return map[string]any{
			"ChallengeParameters": map[string]string{},
			"AuthenticationResult": map[string]any{
				"AccessToken":  f.accessToken,
				"ExpiresIn":    3600,
				"IdToken":      f.idToken,
				"RefreshToken": testRefresh,
				"TokenType":    "Bearer",
			},
		}, nil
	}
	if f.wrong++; f.wrong >= f.maxAttempts {
		return nil, &apiError{"NotAuthorizedException", "Incorrect username or password."}
	}
	return f.challengeLocked(180 - 10*f.wrong), nil
}

// challengeLocked issues a new session and the public challenge parameters
// that CreateAuthChallenge sets, plus the USERNAME Cognito adds.
func (f *fakePool) challengeLocked(expiresIn int) map[string]any {
	session := fmt.Sprintf("AYABeFakeSession%02d-secret", len(f.sessions)+1)
	f.sessions = append(f.sessions, session)
	return map[string]any{
		"ChallengeName": "CUSTOM_CHALLENGE",
		"Session":       session,
		"ChallengeParameters": map[string]string{
			"USERNAME":    testUsername,
			"maskedPhone": testMasked,
			"codeLength":  "6",
			"expiresIn":   fmt.Sprint(expiresIn),
			"resendAfter": "30",
		},
	}
}

func (f *fakePool) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/"+testPoolID+"/.well-known/jwks.json" {
		http.NotFound(w, r)
		return
	}
	pub := signingKey().PublicKey
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"alg": "RS256",
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"kid": testKid,
		"kty": "RSA",
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"use": "sig",
	}}})
}

// Calls returns the operations received, in order, and their bodies.
func (f *fakePool) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func (f *fakePool) Sessions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sessions...)
}

// 2048-bit keys are slow enough to make once per test binary.
var (
	signingKey = sync.OnceValue(func() *rsa.PrivateKey { return genKey() })
	otherKey   = sync.OnceValue(func() *rsa.PrivateKey { return genKey() })
)

func genKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// idClaims are the claims Cognito puts in an ID token after a custom
// sign-in, at fixed times (iat 2026-03-01T12:00:00Z).
func idClaims(iss, aud string) map[string]any {
	return map[string]any{
		"sub":                   testUsername,
		"iss":                   iss,
		"aud":                   aud,
		"cognito:username":      testUsername,
		"origin_jti":            "00010203-0405-4607-8809-0a0b0c0d0e0f",
		"event_id":              "10111213-1415-4617-9819-1a1b1c1d1e1f",
		"token_use":             "id",
		"auth_time":             1772366395,
		"phone_number":          testPhone,
		"phone_number_verified": true,
		"exp":                   1772370000,
		"iat":                   1772366400,
		"jti":                   "20212223-2425-4627-a829-2a2b2c2d2e2f",
	}
}

func accessClaims(iss string) map[string]any {
	return map[string]any{
		"sub":        testUsername,
		"iss":        iss,
		"client_id":  testClientID,
		"origin_jti": "00010203-0405-4607-8809-0a0b0c0d0e0f",
		"event_id":   "10111213-1415-4617-9819-1a1b1c1d1e1f",
		"token_use":  "access",
		"scope":      "aws.cognito.signin.user.admin",
		"auth_time":  1772366395,
		"exp":        1772370000,
		"iat":        1772366400,
		"jti":        "30313233-3435-4637-b839-3a3b3c3d3e3f",
		"username":   testUsername,
	}
}

// signJWT makes an RS256 JWS, header in Cognito's order (kid, alg).
func signJWT(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	return jwttest.Sign(t, key, struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}{kid, "RS256"}, claims)
}

// tamper replaces a token's payload with claims, keeping its signature.
func tamper(t *testing.T, tok string, claims map[string]any) string {
	t.Helper()
	p, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString(p)
	return strings.Join(parts, ".")
}
