// Package fakessm is an in-memory AWS Systems Manager Parameter Store for
// tests, speaking the AWS JSON 1.1 protocol the SDK uses (POST /,
// X-Amz-Target: AmazonSSM.GetParameter or AmazonSSM.PutParameter), with the
// documented request and response bodies and error shapes, so the real
// aws-sdk-go-v2 client is what a test drives. No local emulator of SSM runs
// on the project's machines.
package fakessm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
)

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server

	mu     sync.Mutex
	params map[string]param
	calls  map[string]int // by operation
	// Fail, when set, answers the next calls of that operation with this
	// error type and HTTP status (e.g. "ThrottlingException", 400).
	fail map[string]failure
}

type param struct {
	Type, Value string
	Version     int64
	Modified    time.Time
}

type failure struct {
	typ    string
	status int
}

// New starts a fake; it stops when the test ends.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{params: map[string]param{}, calls: map[string]int{}, fail: map[string]failure{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

// Client is an SSM API client (internal/awsjson, as the worker and otpctl
// use) pointed at the fake, with static credentials and no retries.
func (s *Server) Client() *awsjson.Client {
	return awsjson.New(testutil.AWSConfig(s.Server), awsjson.SSM)
}

// Set stores a String parameter directly, as the console would.
func (s *Server) Set(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.params[name]
	s.params[name] = param{Type: "String", Value: value, Version: p.Version + 1, Modified: time.Now()}
}

// Value is the parameter's value and whether it exists.
func (s *Server) Value(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.params[name]
	return p.Value, ok
}

// Calls is how many requests of op ("GetParameter") arrived.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Fail makes every later call of op fail with the error type and status,
// until Fail(op, "", 0).
func (s *Server) Fail(op, errType string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errType == "" {
		delete(s.fail, op)
		return
	}
	s.fail[op] = failure{errType, status}
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSSM.")
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		writeErr(w, http.StatusNotFound, "UnknownOperationException", "not a JSON 1.1 request")
		return
	case !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.1":
		writeErr(w, http.StatusBadRequest, "UnknownOperationException", "unknown target "+target)
		return
	case !strings.Contains(r.Header.Get("Authorization"), "/ssm/aws4_request"):
		writeErr(w, http.StatusBadRequest, "MissingAuthenticationTokenException", "request is not signed for ssm")
		return
	}
	s.mu.Lock()
	s.calls[op]++
	f, failing := s.fail[op]
	s.mu.Unlock()
	if failing {
		writeErr(w, f.status, f.typ, "injected failure")
		return
	}
	var in struct {
		Name           string
		Value          *string
		Type           string
		Overwrite      bool
		WithDecryption bool
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
		writeErr(w, http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
		return
	}
	switch op {
	case "GetParameter":
		s.get(w, in.Name)
	case "PutParameter":
		if in.Value == nil {
			writeErr(w, http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null")
			return
		}
		s.put(w, in.Name, *in.Value, in.Type, in.Overwrite)
	default:
		writeErr(w, http.StatusBadRequest, "UnknownOperationException", "unsupported operation "+op)
	}
}

func (s *Server) get(w http.ResponseWriter, name string) {
	s.mu.Lock()
	p, ok := s.params[name]
	s.mu.Unlock()
	if !ok {
		writeErr(w, http.StatusBadRequest, "ParameterNotFound", "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Parameter": map[string]any{
		"ARN":              "arn:aws:ssm:us-east-1:123456789012:parameter" + ensureSlash(name),
		"DataType":         "text",
		"LastModifiedDate": float64(p.Modified.UnixMilli()) / 1000,
		"Name":             name,
		"Type":             p.Type,
		"Value":            p.Value,
		"Version":          p.Version,
	}})
}

func (s *Server) put(w http.ResponseWriter, name, value, typ string, overwrite bool) {
	if len(value) > 4096 {
		writeErr(w, http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 4096")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, exists := s.params[name]
	if exists && !overwrite {
		writeErr(w, http.StatusBadRequest, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
		return
	}
	if typ == "" {
		typ = "String"
	}
	s.params[name] = param{Type: typ, Value: value, Version: p.Version + 1, Modified: time.Now()}
	writeJSON(w, http.StatusOK, map[string]any{"Tier": "Standard", "Version": p.Version + 1})
}

func ensureSlash(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return "/" + name
}

func writeErr(w http.ResponseWriter, status int, typ, msg string) {
	body := map[string]string{"__type": typ}
	if msg != "" {
		body["message"] = msg
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", fmt.Sprintf("%d", time.Now().UnixNano()))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
