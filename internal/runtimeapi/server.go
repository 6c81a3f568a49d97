package runtimeapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Header names and paths from the Lambda developer guide ("Using the Lambda
// runtime API for custom runtimes").
const (
	HeaderRequestID          = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs         = "Lambda-Runtime-Deadline-Ms"
	HeaderInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID            = "Lambda-Runtime-Trace-Id"
	HeaderErrorType          = "Lambda-Runtime-Function-Error-Type"

	prefix = "/2018-06-01/runtime/"
	// MaxResponse is Lambda's limit on a synchronous response payload.
	MaxResponse = 6 << 20
)

// FunctionError is what a runtime posts to /error or /init/error.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Result is one invocation's outcome, with the times the event was handed
// to the runtime and the answer came back.
type Result struct {
	RequestID  string
	Payload    []byte         // the response, when Err is nil
	Err        *FunctionError // the invocation error, if the function reported one
	Dispatched time.Time
	Answered   time.Time
}

// Duration is the time from handing out the event to the answer.
func (r Result) Duration() time.Duration { return r.Answered.Sub(r.Dispatched) }

// Config sets what /next reports about the function.
type Config struct {
	FunctionARN string        // default arn:aws:lambda:us-east-1:123456789012:function:local
	Timeout     time.Duration // sets Lambda-Runtime-Deadline-Ms; default 5 s (Cognito's limit)
}

type invocation struct {
	id      string
	payload []byte
	trace   string
	done    chan Result
	result  Result
}

// Server serves the Runtime API for one function instance on a loopback
// port. Start the function with AWS_LAMBDA_RUNTIME_API=Addr().
type Server struct {
	cfg      Config
	ln       net.Listener
	http     *http.Server
	pending  chan *invocation
	initErr  chan FunctionError
	firstGet chan struct{}

	mu       sync.Mutex
	polled   time.Time // first /next
	active   map[string]*invocation
	finished map[string]bool
}

// New listens on 127.0.0.1 and serves until Close.
func New(cfg Config) (*Server, error) {
	if cfg.FunctionARN == "" {
		cfg.FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:local"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api: listen: %w", err)
	}
	s := &Server{
		cfg:      cfg,
		ln:       ln,
		pending:  make(chan *invocation, 16),
		initErr:  make(chan FunctionError, 1),
		firstGet: make(chan struct{}),
		active:   map[string]*invocation{},
		finished: map[string]bool{},
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.http.Serve(ln)
	return s, nil
}

// Addr is the host:port for AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving; a runtime blocked in /next sees its connection end.
func (s *Server) Close() error { return s.http.Close() }

// Ready is closed when the runtime first asks for an event: its init is over.
func (s *Server) Ready() <-chan struct{} { return s.firstGet }

// FirstPoll is when the runtime first asked for an event (zero before).
func (s *Server) FirstPoll() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polled
}

// InitError delivers the error a runtime reported through /init/error.
func (s *Server) InitError() <-chan FunctionError { return s.initErr }

// Invoke queues payload for the runtime and waits for its response or
// error. The error is only for the wait (ctx); a function's own error is
// Result.Err.
func (s *Server) Invoke(ctx context.Context, payload []byte) (Result, error) {
	inv := &invocation{id: newID(), payload: payload, trace: traceID(), done: make(chan Result, 1)}
	select {
	case s.pending <- inv:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-inv.done:
		return r, nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("invocation %s: %w", inv.id, ctx.Err())
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case path == "invocation/next":
		if !allow(w, r, http.MethodGet) {
			return
		}
		s.next(w, r)
	case path == "init/error":
		if !allow(w, r, http.MethodPost) {
			return
		}
		s.initError(w, r)
	case strings.HasPrefix(path, "invocation/"):
		id, verb, ok := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		if !ok || (verb != "response" && verb != "error") {
			http.NotFound(w, r)
			return
		}
		if !allow(w, r, http.MethodPost) {
			return
		}
		s.answer(w, r, id, verb == "error")
	default:
		http.NotFound(w, r)
	}
}

func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	w.WriteHeader(http.StatusMethodNotAllowed)
	return false
}

// next blocks until an invocation is queued, as Lambda does (the runtime
// sets no timeout on it).
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.polled.IsZero() {
		s.polled = time.Now()
		close(s.firstGet)
	}
	s.mu.Unlock()
	var inv *invocation
	select {
	case inv = <-s.pending:
	case <-r.Context().Done():
		return
	}
	now := time.Now()
	s.mu.Lock()
	inv.result = Result{RequestID: inv.id, Dispatched: now}
	s.active[inv.id] = inv
	s.mu.Unlock()
	h := w.Header()
	h.Set(HeaderRequestID, inv.id)
	h.Set(HeaderDeadlineMs, strconv.FormatInt(now.Add(s.cfg.Timeout).UnixMilli(), 10))
	h.Set(HeaderInvokedFunctionARN, s.cfg.FunctionARN)
	h.Set(HeaderTraceID, inv.trace)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload)
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, id string, isErr bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponse+1))
	if err != nil {
		reply(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	s.mu.Lock()
	inv, ok := s.active[id]
	if !ok {
		s.mu.Unlock()
		if s.wasFinished(id) {
			reply(w, http.StatusBadRequest, "InvalidStateTransition", "invocation "+id+" already answered")
			return
		}
		reply(w, http.StatusBadRequest, "InvalidRequestID", "unknown request id "+id)
		return
	}
	if !isErr && len(body) > MaxResponse {
		s.mu.Unlock()
		reply(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload over 6 MB")
		return
	}
	delete(s.active, id)
	s.finished[id] = true
	s.mu.Unlock()
	res := inv.result
	res.Answered = time.Now()
	if isErr {
		res.Err = functionError(r.Header, body)
	} else {
		res.Payload = body
	}
	inv.done <- res
	accepted(w)
}

func (s *Server) wasFinished(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished[id]
}

// initError is accepted only during init, i.e. before the first /next.
func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponse))
	if err != nil {
		reply(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	s.mu.Lock()
	polled := !s.polled.IsZero()
	s.mu.Unlock()
	if polled {
		reply(w, http.StatusForbidden, "InvalidStateTransition", "init/error after the runtime asked for an event")
		return
	}
	select {
	case s.initErr <- *functionError(r.Header, body):
	default:
		reply(w, http.StatusForbidden, "InvalidStateTransition", "init error already reported")
		return
	}
	accepted(w)
}

// functionError reads the documented error document; a body that is not
// one is kept as the message, typed by the header.
func functionError(h http.Header, body []byte) *FunctionError {
	var fe FunctionError
	if err := json.Unmarshal(body, &fe); err != nil || (fe.Type == "" && fe.Message == "") {
		fe = FunctionError{Message: string(body)}
	}
	if t := h.Get(HeaderErrorType); fe.Type == "" && t != "" {
		fe.Type = t
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return &fe
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
}

func reply(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(FunctionError{Type: typ, Message: msg})
}

// newID is a request id in Lambda's UUID form.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// traceID is an X-Ray trace header, sampled off.
func traceID() string {
	b := make([]byte, 20)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}
