package cognitowire

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type echoInput struct {
	Name string `json:"Name"`
}

func echo(_ *int, _ context.Context, in echoInput) (any, *Error) {
	if in.Name == "" {
		return nil, Missing("name")
	}
	return in, nil
}

var testOps = Operations[*int]{"Echo": Op(echo)}

func TestTarget(t *testing.T) {
	tests := []struct {
		name, method, path, target string
		wantOp, wantErr            string
	}{
		{"known", http.MethodPost, "/", TargetPrefix + "Echo", "Echo", ""},
		{"not implemented", http.MethodPost, "/", TargetPrefix + "SignUp", "", ErrUnknownOperation},
		{"other service", http.MethodPost, "/", "DynamoDB_20120810.GetItem", "", ErrUnknownOperation},
		{"no target", http.MethodPost, "/", "", "", ErrUnknownOperation},
		{"GET", http.MethodGet, "/", TargetPrefix + "Echo", "", ErrUnknownOperation},
		{"other path", http.MethodPost, "/x", TargetPrefix + "Echo", "", ErrUnknownOperation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			r.Header.Set("X-Amz-Target", tc.target)
			op, aerr := testOps.Target(r, "the test server")
			if op != tc.wantOp || errType(aerr) != tc.wantErr {
				t.Errorf("Target = %q, %v; want %q, %q", op, aerr, tc.wantOp, tc.wantErr)
			}
		})
	}
}

func TestOpDecodes(t *testing.T) {
	tests := []struct {
		body, wantErr string
	}{
		{`{"Name":"x","Unknown":1}`, ""},
		{``, ErrInvalidParameter}, // an empty body is {}
		{`{"Name":`, ErrSerialization},
	}
	for _, tc := range tests {
		_, aerr := testOps.Call(nil, context.Background(), "Echo", []byte(tc.body))
		if errType(aerr) != tc.wantErr {
			t.Errorf("Call(%q) = %v, want %q", tc.body, aerr, tc.wantErr)
		}
	}
}

func TestCheckContentType(t *testing.T) {
	for ct, ok := range map[string]bool{ContentType: true, ContentType + "; charset=utf-8": true, "application/json": false, "": false} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Content-Type", ct)
		if got := CheckContentType(r) == nil; got != ok {
			t.Errorf("CheckContentType(%q) accepted = %v, want %v", ct, got, ok)
		}
	}
}

func TestReadBodyLimit(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat(" ", maxBody+1)))
	if _, aerr := ReadBody(r); errType(aerr) != ErrSerialization {
		t.Errorf("ReadBody(over 1 MiB) = %v, want %s", aerr, ErrSerialization)
	}
}

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		e      *Error
		status int
	}{
		{Errorf(ErrUserNotFound, "User does not exist."), http.StatusBadRequest},
		{Errorf(ErrInternal, "boom"), http.StatusInternalServerError},
	} {
		w := httptest.NewRecorder()
		WriteError(w, tc.e)
		var body map[string]string
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if w.Code != tc.status || w.Header().Get("Content-Type") != ContentType ||
			w.Header().Get("x-amzn-ErrorType") != tc.e.Type ||
			body["__type"] != tc.e.Type || body["message"] != tc.e.Message {
			t.Errorf("WriteError(%v): %d %v %v", tc.e, w.Code, w.Header(), body)
		}
	}
}

func errType(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Type
}

type oneClient string

func (c oneClient) AppClientID() string { return string(c) }

type clientEchoInput struct {
	ClientRequest
	Name string `json:"Name"`
}

func TestClientOpChecksTheClient(t *testing.T) {
	h := ClientOp(func(_ oneClient, _ context.Context, in clientEchoInput) (any, *Error) { return in.Name, nil })
	tests := []struct {
		body, wantErr string
	}{
		{`{"ClientId":"web","Name":"x"}`, ""},
		{`{"Name":"x"}`, ErrInvalidParameter},
		{`{"ClientId":"other","Name":"x"}`, ErrResourceNotFound},
		{`{"ClientId":`, ErrSerialization},
	}
	for _, tc := range tests {
		out, aerr := h(oneClient("web"), context.Background(), []byte(tc.body))
		if errType(aerr) != tc.wantErr || (aerr == nil && out != "x") {
			t.Errorf("ClientOp(%s) = %v, %v; want error %q", tc.body, out, aerr, tc.wantErr)
		}
	}
}
