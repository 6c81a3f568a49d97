package idp_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/idp"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

// The tests drive the server with the real AWS SDK client over HTTP, and
// stand in for the project's triggers with a mini OTP written here: Create
// issues the code 123456, Verify compares, Define grants tokens after a
// correct answer and fails after three wrong ones.

const (
	poolID   = "us-east-1_LocalTest1"
	clientID = "7l0c4lc1i3nt1d0000000000ab"
	region   = "us-east-1"

	goodCode  = "123456"
	wrongCode = "000000"
	// maxAnswers is how many wrong answers the fake Define allows.
	maxAnswers = 3

	minPassword = 16
	password    = "correct horse battery" // 21 characters
	shortPass   = "too short"

	phoneAlice = "+15555550101"
	phoneBob   = "+15555550102"
	phoneCarol = "+15555550103"
	phoneDan   = "+15555550104"
	phoneNoOne = "+15555550199" // never signed up
)

var (
	// 2026-03-01T12:00:00Z, the start of every test's clock.
	t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	// 2048-bit keys are slow enough to make once per test binary.
	signingKey = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})

	uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// pool is one local user pool behind an httptest.Server, with an SDK client
// pointed at it and a record of every trigger call.
type pool struct {
	url    string
	api    *cip.Client
	clock  *clock
	calls  *calls
	log    *syncBuffer
	issuer *tokens.Issuer
	server *httptest.Server
}

// newPool starts a pool with the mini-OTP triggers; opts may change the
// config (including replacing triggers) before the calls are recorded.
func newPool(t *testing.T, opts ...func(*idp.Config)) *pool {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	url := "http://" + srv.Listener.Addr().String()
	clk := testutil.NewClock(t0)
	iss, err := tokens.NewIssuer(url+"/"+poolID, clientID, signingKey(), clk.Now, nil)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	buf := &syncBuffer{}
	cfg := idp.Config{
		PoolID:            poolID,
		ClientID:          clientID,
		MinPasswordLength: minPassword,
		Triggers:          otpTriggers(),
		Tokens:            iss,
		Now:               clk.Now,
		// No time key: the log is checked for what it must not contain.
		Log: slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if len(groups) == 0 && a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	c := &calls{}
	cfg.Triggers = c.record(cfg.Triggers)
	s, err := idp.New(cfg)
	if err != nil {
		t.Fatalf("idp.New: %v", err)
	}
	srv.Config.Handler = s
	srv.Start()

	api := cip.New(cip.Options{
		BaseEndpoint:     aws.String(url),
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCALTEST", "local-secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       srv.Client(),
	})
	return &pool{url: url, api: api, clock: clk, calls: c, log: buf, issuer: iss, server: srv}
}

// Config options.

func triggerTimeout(d time.Duration) func(*idp.Config) {
	return func(c *idp.Config) { c.TriggerTimeout = d }
}

func revealUsers(c *idp.Config) { c.RevealUserExistence = true }

func noPreSignUp(c *idp.Config) { c.Triggers.PreSignUp = nil }

// API steps. Each fails the test on an unexpected error.

// signUp registers phone (auto-confirmed by the fake PreSignUp) and returns its sub.
func (p *pool) signUp(t *testing.T, phone string) string {
	t.Helper()
	out, err := p.api.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phone), Password: aws.String(password),
	})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", phone, err)
	}
	return aws.ToString(out.UserSub)
}

// initiate starts CUSTOM_AUTH and expects a CUSTOM_CHALLENGE.
func (p *pool) initiate(t *testing.T, username string, meta map[string]string) *cip.InitiateAuthOutput {
	t.Helper()
	out, err := p.initiateErr(username, meta)
	if err != nil {
		t.Fatalf("InitiateAuth(%s): %v", username, err)
	}
	if out.ChallengeName != types.ChallengeNameTypeCustomChallenge || aws.ToString(out.Session) == "" {
		t.Fatalf("InitiateAuth(%s) = challenge %q, session %q; want CUSTOM_CHALLENGE and a session",
			username, out.ChallengeName, aws.ToString(out.Session))
	}
	return out
}

func (p *pool) initiateErr(username string, meta map[string]string) (*cip.InitiateAuthOutput, error) {
	return p.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeCustomAuth,
		ClientId:       aws.String(clientID),
		AuthParameters: map[string]string{"USERNAME": username},
		ClientMetadata: meta,
	})
}

// answer sends a CUSTOM_CHALLENGE answer for the challenge ch.
func (p *pool) answer(ch challenge, code string, meta map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return p.api.RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{
		ClientId:           aws.String(clientID),
		ChallengeName:      types.ChallengeNameTypeCustomChallenge,
		Session:            aws.String(ch.session),
		ChallengeResponses: map[string]string{"USERNAME": ch.username, "ANSWER": code},
		ClientMetadata:     meta,
	})
}

// challenge is what a client keeps between rounds.
type challenge struct{ session, username string }

func challengeOf[O *cip.InitiateAuthOutput | *cip.RespondToAuthChallengeOutput](out O) challenge {
	switch o := any(out).(type) {
	case *cip.InitiateAuthOutput:
		return challenge{aws.ToString(o.Session), o.ChallengeParameters["USERNAME"]}
	case *cip.RespondToAuthChallengeOutput:
		return challenge{aws.ToString(o.Session), o.ChallengeParameters["USERNAME"]}
	}
	return challenge{}
}

// signIn answers the code correctly and returns the tokens.
func (p *pool) signIn(t *testing.T, phone string) *types.AuthenticationResultType {
	t.Helper()
	out, err := p.answer(challengeOf(p.initiate(t, phone, nil)), goodCode, nil)
	if err != nil {
		t.Fatalf("RespondToAuthChallenge(%s): %v", phone, err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("RespondToAuthChallenge(%s) = challenge %q, want tokens", phone, out.ChallengeName)
	}
	return out.AuthenticationResult
}

func (p *pool) refresh(token string) (*cip.InitiateAuthOutput, error) {
	return p.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(clientID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": token},
	})
}

func (p *pool) adminGetUser(t *testing.T, username string) *cip.AdminGetUserOutput {
	t.Helper()
	out, err := p.api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username),
	})
	if err != nil {
		t.Fatalf("AdminGetUser(%s): %v", username, err)
	}
	return out
}

func (p *pool) updateAttributes(username string, attrs map[string]string) error {
	_, err := p.api.AdminUpdateUserAttributes(context.Background(), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username), UserAttributes: attributes(attrs),
	})
	return err
}

func attributes(m map[string]string) []types.AttributeType {
	out := make([]types.AttributeType, 0, len(m))
	for n, v := range m {
		out = append(out, types.AttributeType{Name: aws.String(n), Value: aws.String(v)})
	}
	return out
}

func attributeMap(list []types.AttributeType) map[string]string {
	m := make(map[string]string, len(list))
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// Raw HTTP, for what the SDK cannot send.

// post sends body to the API with the given target and content type and
// returns the status and the decoded error (or result) body.
func (p *pool) post(t *testing.T, target, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return p.do(t, req)
}

func (p *pool) do(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	res, err := p.server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if len(b) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: body %q: %v", req.Method, req.URL, b, err)
		}
	}
	return res, m
}

// Errors.

// apiError is what every modelled Cognito exception type implements.
type apiError interface {
	error
	ErrorMessage() string
}

// wantError fails unless err is (or wraps) a T; a non-empty msg must be its
// message exactly.
func wantError[T apiError](t *testing.T, err error, msg string) {
	t.Helper()
	target := asError[T](t, err)
	if msg != "" && target.ErrorMessage() != msg {
		t.Errorf("%T message = %q, want %q", target, target.ErrorMessage(), msg)
	}
}

// asError fails unless err is (or wraps) a T, and returns it.
func asError[T apiError](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error = %v, want %T", err, target)
	}
	return target
}

// isError is wantError for tables.
func isError[T apiError](msg string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		wantError[T](t, err, msg)
	}
}

// The fake triggers: a mini OTP.

func otpTriggers() idp.Triggers {
	return idp.Triggers{
		PreSignUp:          autoConfirm,
		Define:             defineOTP,
		Create:             createOTP,
		Verify:             verifyOTP,
		PostAuthentication: postAuthentication,
	}
}

func autoConfirm(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	ev.Response.AutoConfirmUser = true
	return ev, nil
}

func defineOTP(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
	s := ev.Request.Session
	switch {
	case len(s) > 0 && s[len(s)-1].ChallengeResult:
		ev.Response.IssueTokens = true
	case len(s) >= maxAnswers:
		ev.Response.FailAuthentication = true
	default:
		ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
	}
	return ev, nil
}

// createOTP numbers its rounds in the public parameters and the metadata,
// so a test can see the session grow.
func createOTP(_ context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
	round := strconv.Itoa(len(ev.Request.Session) + 1)
	ev.Response.PublicChallengeParameters = map[string]string{"round": round}
	ev.Response.PrivateChallengeParameters = map[string]string{"code": goodCode}
	ev.Response.ChallengeMetadata = "CODE-" + round
	return ev, nil
}

func verifyOTP(_ context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
	answer, _ := ev.Request.ChallengeAnswer.(string)
	ev.Response.AnswerCorrect = answer != "" && answer == ev.Request.PrivateChallengeParameters["code"]
	return ev, nil
}

func postAuthentication(_ context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
	return ev, nil
}

// calls records every event each trigger receives, one entry per attempt.
type calls struct {
	preSignUp recorded[events.CognitoEventUserPoolsPreSignup]
	define    recorded[events.CognitoEventUserPoolsDefineAuthChallenge]
	create    recorded[events.CognitoEventUserPoolsCreateAuthChallenge]
	verify    recorded[events.CognitoEventUserPoolsVerifyAuthChallenge]
	postAuth  recorded[events.CognitoEventUserPoolsPostAuthentication]
	customSMS recorded[idp.CustomSMSEvent]
}

func (c *calls) record(tr idp.Triggers) idp.Triggers {
	return idp.Triggers{
		PreSignUp:          wrap(&c.preSignUp, tr.PreSignUp),
		Define:             wrap(&c.define, tr.Define),
		Create:             wrap(&c.create, tr.Create),
		Verify:             wrap(&c.verify, tr.Verify),
		PostAuthentication: wrap(&c.postAuth, tr.PostAuthentication),
		CustomSMSSender:    wrap(&c.customSMS, tr.CustomSMSSender),
	}
}

// count is how many times the trigger with Cognito's name was called.
func (c *calls) count(trigger string) int {
	switch trigger {
	case "PreSignUp":
		return len(c.preSignUp.all())
	case "DefineAuthChallenge":
		return len(c.define.all())
	case "CreateAuthChallenge":
		return len(c.create.all())
	case "VerifyAuthChallengeResponse":
		return len(c.verify.all())
	case "PostAuthentication":
		return len(c.postAuth.all())
	}
	panic("unknown trigger " + trigger)
}

type recorded[E any] struct {
	mu     sync.Mutex
	events []E
}

func (r *recorded[E]) all() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]E(nil), r.events...)
}

// last is the latest event, failing the test if there is none.
func (r *recorded[E]) last(t *testing.T) E {
	t.Helper()
	all := r.all()
	if len(all) == 0 {
		var zero E
		t.Fatalf("no %T recorded", zero)
	}
	return all[len(all)-1]
}

func wrap[E any](r *recorded[E], h idp.Handler[E]) idp.Handler[E] {
	if h == nil {
		return nil
	}
	return func(ctx context.Context, ev E) (E, error) {
		r.mu.Lock()
		r.events = append(r.events, ev)
		r.mu.Unlock()
		return h(ctx, ev)
	}
}

// Misbehaving triggers.

// action is what a scripted trigger does on one call.
type action int

const (
	answer  action = iota // call the mini-OTP handler
	hang                  // answer after four times the trigger timeout, ignoring ctx
	fail                  // return the error OTP_X
	explode               // panic
)

// script plays its actions in order, one a call, then answers.
type script struct {
	mu      sync.Mutex
	actions []action
	hangFor time.Duration
}

func (s *script) next() action {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.actions) == 0 {
		return answer
	}
	a := s.actions[0]
	s.actions = s.actions[1:]
	return a
}

func scripted[E any](s *script, h idp.Handler[E]) idp.Handler[E] {
	return func(ctx context.Context, ev E) (E, error) {
		switch s.next() {
		case hang:
			time.Sleep(s.hangFor)
		case fail:
			return ev, errors.New("OTP_X")
		case explode:
			panic("boom")
		}
		return h(ctx, ev)
	}
}

// misbehave makes the named trigger follow the script. It goes after any
// triggerTimeout option: a hang lasts four timeouts unless the script says.
func misbehave(trigger string, s *script) func(*idp.Config) {
	return func(c *idp.Config) {
		if s.hangFor == 0 {
			s.hangFor = 4 * c.TriggerTimeout
		}
		tr := &c.Triggers
		switch trigger {
		case "PreSignUp":
			tr.PreSignUp = scripted(s, tr.PreSignUp)
		case "DefineAuthChallenge":
			tr.Define = scripted(s, tr.Define)
		case "CreateAuthChallenge":
			tr.Create = scripted(s, tr.Create)
		case "VerifyAuthChallengeResponse":
			tr.Verify = scripted(s, tr.Verify)
		case "PostAuthentication":
			tr.PostAuthentication = scripted(s, tr.PostAuthentication)
		default:
			panic("unknown trigger " + trigger)
		}
	}
}

// Fixtures.

// fixture reads testdata/name with {{key}} placeholders replaced by vars.
func fixture(t *testing.T, name string, vars map[string]string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	pairs := []string{"{{poolId}}", poolID, "{{clientId}}", clientID, "{{region}}", region}
	for k, v := range vars {
		pairs = append(pairs, "{{"+k+"}}", v)
	}
	out := strings.NewReplacer(pairs...).Replace(string(b))
	if i := strings.Index(out, "{{"); i >= 0 {
		t.Fatalf("%s: unreplaced placeholder at %q", name, out[i:min(len(out), i+20)])
	}
	return []byte(out)
}

// Clock and log.

type clock = testutil.Clock

// syncBuffer collects the server's log lines, written concurrently.
type syncBuffer struct{ testutil.SyncBuffer }

// lines decodes the JSON log lines.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %d %q: %v", i+1, l, err)
		}
		out = append(out, m)
	}
	return out
}
