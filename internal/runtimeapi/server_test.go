package runtimeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/runtimeapi"
)

// runtime is the client side, as a custom runtime speaks it (paths and
// headers from the Lambda developer guide).
type runtime struct {
	t    *testing.T
	base string
}

func newRuntime(t *testing.T) (*runtimeapi.Server, runtime) {
	t.Helper()
	s, err := runtimeapi.New(runtimeapi.Config{FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:f"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, runtime{t, "http://" + s.Addr() + "/2018-06-01/runtime/"}
}

func (rt runtime) do(method, path string, body []byte, hdr ...string) (*http.Response, []byte) {
	rt.t.Helper()
	req, err := http.NewRequest(method, rt.base+path, bytes.NewReader(body))
	if err != nil {
		rt.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		rt.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// invoke starts an invocation and returns a channel with its result.
func invoke(s *runtimeapi.Server, payload string) <-chan runtimeapi.Result {
	ch := make(chan runtimeapi.Result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, _ := s.Invoke(ctx, []byte(payload))
		ch <- r
	}()
	return ch
}

func TestNextAndResponse(t *testing.T) {
	s, rt := newRuntime(t)
	done := invoke(s, `{"x":1}`)
	res, body := rt.do("GET", "invocation/next", nil)
	if res.StatusCode != http.StatusOK || string(body) != `{"x":1}` {
		t.Fatalf("next = %d %s", res.StatusCode, body)
	}
	id := res.Header.Get("Lambda-Runtime-Aws-Request-Id")
	deadline, err := strconv.ParseInt(res.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if id == "" || err != nil || deadline <= time.Now().UnixMilli() {
		t.Errorf("request id %q, deadline %q", id, res.Header.Get("Lambda-Runtime-Deadline-Ms"))
	}
	if arn := res.Header.Get("Lambda-Runtime-Invoked-Function-Arn"); arn != "arn:aws:lambda:us-east-1:123456789012:function:f" {
		t.Errorf("function arn %q", arn)
	}
	if tr := res.Header.Get("Lambda-Runtime-Trace-Id"); !strings.HasPrefix(tr, "Root=1-") {
		t.Errorf("trace id %q", tr)
	}
	select {
	case <-s.Ready():
	default:
		t.Error("Ready not closed after the first /next")
	}
	res, _ = rt.do("POST", "invocation/"+id+"/response", []byte(`"ok"`))
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("response = %d", res.StatusCode)
	}
	r := <-done
	if string(r.Payload) != `"ok"` || r.Err != nil || r.RequestID != id || r.Duration() < 0 {
		t.Errorf("result %+v", r)
	}
	// Answered once: a second answer is refused.
	if res, _ = rt.do("POST", "invocation/"+id+"/response", []byte(`"again"`)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("second response = %d, want 400", res.StatusCode)
	}
}

func TestInvocationError(t *testing.T) {
	s, rt := newRuntime(t)
	done := invoke(s, `{}`)
	res, _ := rt.do("GET", "invocation/next", nil)
	id := res.Header.Get("Lambda-Runtime-Aws-Request-Id")
	doc := `{"errorMessage":"OTP_BAD_REQUEST","errorType":"Refusal"}`
	res, _ = rt.do("POST", "invocation/"+id+"/error", []byte(doc), "Lambda-Runtime-Function-Error-Type", "Refusal")
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("error = %d", res.StatusCode)
	}
	r := <-done
	if r.Err == nil || r.Err.Type != "Refusal" || r.Err.Message != "OTP_BAD_REQUEST" || r.Payload != nil {
		t.Errorf("result %+v", r)
	}
}

func TestInitError(t *testing.T) {
	s, rt := newRuntime(t)
	doc := `{"errorMessage":"configuration: OTP_TABLE_NAME: required","errorType":"Runtime.InitError"}`
	res, body := rt.do("POST", "init/error", []byte(doc), "Lambda-Runtime-Function-Error-Type", "Runtime.InitError")
	if res.StatusCode != http.StatusAccepted || !json.Valid(body) {
		t.Fatalf("init/error = %d %s", res.StatusCode, body)
	}
	select {
	case fe := <-s.InitError():
		if fe.Type != "Runtime.InitError" || !strings.Contains(fe.Message, "OTP_TABLE_NAME") {
			t.Errorf("init error %+v", fe)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("init error not delivered")
	}
}

func TestInitErrorAfterInit(t *testing.T) {
	s, rt := newRuntime(t)
	done := invoke(s, `{}`)
	res, _ := rt.do("GET", "invocation/next", nil)
	rt.do("POST", "invocation/"+res.Header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", []byte(`{}`))
	<-done
	if res, _ := rt.do("POST", "init/error", []byte(`{}`)); res.StatusCode != http.StatusForbidden {
		t.Errorf("init/error after init = %d, want 403", res.StatusCode)
	}
}

func TestRefusals(t *testing.T) {
	_, rt := newRuntime(t)
	tests := []struct {
		method, path string
		body         []byte
		want         int
	}{
		{"POST", "invocation/nope/response", []byte(`{}`), http.StatusBadRequest},
		{"POST", "invocation/nope/error", []byte(`{}`), http.StatusBadRequest},
		{"GET", "invocation/nope/response", nil, http.StatusMethodNotAllowed},
		{"POST", "invocation/next", nil, http.StatusMethodNotAllowed},
		{"GET", "init/error", nil, http.StatusMethodNotAllowed},
		{"POST", "invocation/nope/other", nil, http.StatusNotFound},
		{"GET", "nothing", nil, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			if res, _ := rt.do(tc.method, tc.path, tc.body); res.StatusCode != tc.want {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
}

func TestResponseTooLarge(t *testing.T) {
	s, rt := newRuntime(t)
	invoke(s, `{}`)
	res, _ := rt.do("GET", "invocation/next", nil)
	id := res.Header.Get("Lambda-Runtime-Aws-Request-Id")
	big := bytes.Repeat([]byte("7"), runtimeapi.MaxResponse+1)
	if res, _ := rt.do("POST", "invocation/"+id+"/response", big); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", res.StatusCode)
	}
	// The invocation is still open: a proper answer is taken.
	if res, _ := rt.do("POST", "invocation/"+id+"/response", []byte(`{}`)); res.StatusCode != http.StatusAccepted {
		t.Errorf("status %d after 413, want 202", res.StatusCode)
	}
}
