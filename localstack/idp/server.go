package idp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

// Config describes the local pool and its app client.
type Config struct {
	Region   string
	PoolID   string // e.g. us-east-1_AbCdEf123
	ClientID string
	// RevealUserExistence turns PreventUserExistenceErrors off: unknown
	// users get UserNotFoundException. Off by default, as in template.yaml.
	RevealUserExistence bool
	// MinPasswordLength is the pool's password policy (template.yaml: 16).
	// Passwords are checked and discarded: no flow accepts them.
	MinPasswordLength int
	SessionValidity   time.Duration // AuthSessionValidity; default 3 minutes
	// AuthFlows is the app client's ExplicitAuthFlows; nil means
	// ALLOW_CUSTOM_AUTH and ALLOW_REFRESH_TOKEN_AUTH, as in template.yaml.
	AuthFlows []string
	// ReadAttributes and WriteAttributes are the app client's attribute
	// permissions; nil means Cognito's defaults for an app client created
	// without them (every attribute readable; the standard ones writable).
	ReadAttributes  []string
	WriteAttributes []string
	// AutoVerifyPhone is AutoVerifiedAttributes [phone_number]: a sign-up
	// that PreSignUp leaves unconfirmed gets a confirmation code by SMS
	// through Triggers.CustomSMSSender, encrypted by Codes, as Cognito does
	// with a Custom SMS Sender (the local pool has no SNS). Both are then
	// required.
	AutoVerifyPhone bool
	Codes           CodeEncrypter
	TriggerTimeout  time.Duration // default 5 s
	TriggerAttempts int           // default 3
	Triggers        Triggers
	Users           *Users // nil means a new empty directory
	Tokens          *tokens.Issuer
	Log             *slog.Logger
	Now             func() time.Time
	Rand            io.Reader
}

// Server is the local user pool's API endpoint. It is an http.Handler.
type Server struct {
	cfg      Config
	users    *Users
	sessions *sessions
	inv      invoker
	wellKnow http.Handler
	reqID    atomic.Uint64
	runID    string
	fakeKey  []byte // keys unknown users' made-up usernames
}

// New checks cfg and returns the server.
func New(cfg Config) (*Server, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	users := cfg.Users
	if users == nil {
		users = NewUsers(cfg.Now)
	}
	var run [4]byte
	_, _ = rand.Read(run[:])
	fakeKey := make([]byte, 32)
	_, _ = rand.Read(fakeKey)
	return &Server{
		cfg:      cfg,
		users:    users,
		sessions: newSessions(cfg.SessionValidity, cfg.Now, cfg.Rand),
		inv:      invoker{timeout: cfg.TriggerTimeout, attempts: cfg.TriggerAttempts, log: cfg.Log},
		wellKnow: cfg.Tokens.Handler(),
		runID:    hex.EncodeToString(run[:]),
		fakeKey:  fakeKey,
	}, nil
}

func (c *Config) withDefaults() error {
	switch {
	case !cognitowire.ValidPoolID(c.PoolID):
		return errors.New("idp: pool id must look like us-east-1_AbCdEf123")
	case c.ClientID == "":
		return errors.New("idp: client id is empty")
	case c.Tokens == nil:
		return errors.New("idp: a token issuer is required")
	case c.Triggers.Define == nil || c.Triggers.Create == nil || c.Triggers.Verify == nil:
		return errors.New("idp: the Define, Create and Verify triggers are required")
	case c.AutoVerifyPhone && (c.Triggers.CustomSMSSender == nil || c.Codes == nil):
		return errors.New("idp: AutoVerifyPhone needs the Custom SMS Sender trigger and a code encrypter")
	}
	if c.AuthFlows == nil {
		c.AuthFlows = defaultAuthFlows
	}
	if err := checkAuthFlows(c.AuthFlows); err != nil {
		return err
	}
	if c.Region == "" {
		c.Region = strings.SplitN(c.PoolID, "_", 2)[0]
	}
	if c.SessionValidity <= 0 {
		c.SessionValidity = DefaultSessionValidity
	}
	if c.TriggerTimeout <= 0 {
		c.TriggerTimeout = DefaultTriggerTimeout
	}
	if c.TriggerAttempts <= 0 {
		c.TriggerAttempts = DefaultTriggerAttempts
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return nil
}

var operations = cognitowire.Operations[*Server]{
	"SignUp":                    cognitowire.ClientOp((*Server).signUp),
	"ConfirmSignUp":             cognitowire.ClientOp((*Server).confirmSignUp),
	"ResendConfirmationCode":    cognitowire.ClientOp((*Server).resendConfirmationCode),
	"InitiateAuth":              cognitowire.ClientOp((*Server).initiateAuth),
	"RespondToAuthChallenge":    cognitowire.ClientOp((*Server).respondToAuthChallenge),
	"GetUser":                   cognitowire.Op((*Server).getUser),
	"GlobalSignOut":             cognitowire.Op((*Server).globalSignOut),
	"RevokeToken":               cognitowire.ClientOp((*Server).revokeToken),
	"GetTokensFromRefreshToken": cognitowire.ClientOp((*Server).getTokensFromRefreshToken),
	"UpdateUserAttributes":      cognitowire.Op((*Server).updateUserAttributes),
	"AdminGetUser":              cognitowire.Op((*Server).adminGetUser),
	"AdminCreateUser":           cognitowire.Op((*Server).adminCreateUser),
	"AdminDeleteUser":           cognitowire.Op((*Server).adminDeleteUser),
	"AdminUpdateUserAttributes": cognitowire.Op((*Server).adminUpdateUserAttributes),
	"AdminConfirmSignUp":        cognitowire.Op((*Server).adminConfirmSignUp),
	"ListUsers":                 cognitowire.Op((*Server).listUsers),
}

// browserOperations are what a web app (Amplify, the SDK in a browser)
// calls without AWS credentials; only they get CORS headers. The rest are
// Cognito's IAM-authorized admin operations, which the local pool serves
// without credentials: a page a developer visits must not reach them.
var browserOperations = map[string]bool{
	"SignUp": true, "ConfirmSignUp": true, "ResendConfirmationCode": true, "InitiateAuth": true, "RespondToAuthChallenge": true,
	"GetUser": true, "GlobalSignOut": true, "RevokeToken": true, "GetTokensFromRefreshToken": true,
}

// ServeHTTP routes the API (POST /), the pool's well-known documents (GET
// /{poolId}/.well-known/...) and CORS preflights, and logs a line per request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := s.nextRequestID()
	w.Header().Set("x-amzn-RequestId", id)
	target := r.Header.Get("X-Amz-Target")
	op, _ := operations.Lookup(r)
	s.cors(w, r, op)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	switch {
	case r.Method == http.MethodOptions:
		rec.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/" && r.Method == http.MethodPost:
		s.api(rec, r)
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		rec.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(rec, s.banner())
	default:
		s.wellKnow.ServeHTTP(rec, r)
	}
	s.cfg.Log.Info("request", "id", id, "method", knownValue(r.Method, knownMethods),
		"path", s.logPath(r.URL.Path), "op", logged(op, target),
		"status", rec.status, "errorType", rec.errType, "ms", time.Since(start).Milliseconds())
}

// api serves one operation and writes its answer.
func (s *Server) api(w *statusRecorder, r *http.Request) {
	out, aerr := s.call(r)
	if aerr == nil {
		aerr = cognitowire.WriteResult(w, out)
	}
	if aerr != nil {
		s.fail(w, aerr)
	}
}

// call checks the request as Cognito does, then runs its operation.
func (s *Server) call(r *http.Request) (any, *apiError) {
	op, aerr := operations.Target(r, "the local user pool")
	if aerr != nil {
		return nil, aerr
	}
	if !browserOperations[op] && r.Header.Get("Origin") != "" {
		// Browsers always send Origin on a cross-origin POST, and a page
		// cannot remove it; CLIs and SDKs outside a browser never send it.
		return nil, errorf(errAccessDenied, "%s is an admin operation; the local user pool refuses it from a browser (the request has an Origin header)", op)
	}
	if aerr := cognitowire.CheckContentType(r); aerr != nil {
		return nil, aerr
	}
	body, aerr := cognitowire.ReadBody(r)
	if aerr != nil {
		return nil, aerr
	}
	// As in AWS, a trigger runs to its end whether or not the client
	// waits: a dropped connection must not cut a write half-way.
	return operations.Call(s, context.WithoutCancel(r.Context()), op, body)
}

// Request lines log what the client chose only where it is one of a few
// known values; anything else is a fixed word and its length, so no
// attacker-chosen text (a number, a code, a forged log line) reaches the log.
const unknownValue = "other"

var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodOptions: true,
}

func knownValue(v string, values map[string]bool) string {
	if values[v] {
		return v
	}
	return logged("", v)
}

// logged is op when it names an operation, else the fixed word and the
// length of what was sent (nothing when nothing was).
func logged(op, sent string) string {
	switch {
	case op != "":
		return op
	case sent == "":
		return ""
	}
	return fmt.Sprintf("%s(%d)", unknownValue, len(sent))
}

// logPath keeps the paths this server serves.
func (s *Server) logPath(p string) string {
	prefix := "/" + s.cfg.PoolID + "/.well-known/"
	switch p {
	case "/", prefix + "jwks.json", prefix + "openid-configuration":
		return p
	}
	return logged("", p)
}

func (s *Server) fail(w *statusRecorder, e *apiError) {
	w.errType = e.Type
	cognitowire.WriteError(w, e)
}

// cors lets a web app in development call the pool from a browser, as it
// calls Cognito: any origin, the SDKs' headers, the request id exposed. It
// answers a preflight, which never names the operation, and the browser
// operations; an admin operation gets no CORS headers (and api refuses it),
// so no page can read its answer.
func (s *Server) cors(w http.ResponseWriter, r *http.Request, op string) {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	preflight := r.Method == http.MethodOptions
	if origin == "" || !preflight && r.Method == http.MethodPost && !browserOperations[op] {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, Date")
	if preflight {
		h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "600")
	}
}

// AppClientID is the pool's one app client, which ClientOp requires.
func (s *Server) AppClientID() string { return s.cfg.ClientID }

func (s *Server) banner() string {
	return "otp-local: a local Amazon Cognito user pool (custom auth).\n" +
		"Pool " + s.cfg.PoolID + ", app client " + s.cfg.ClientID + ".\n" +
		"Point an AWS SDK or Amplify at this URL as the Cognito endpoint.\n"
}

func (s *Server) nextRequestID() string {
	return fmt.Sprintf("%s-%06d", s.runID, s.reqID.Add(1))
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	errType string
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
