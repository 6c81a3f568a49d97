package lambdainit_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
)

// runtimeAPI speaks the init error part of the Lambda Runtime API
// (2018-06-01): POST /runtime/init/error with an ErrorRequest JSON body and
// the Lambda-Runtime-Function-Error-Type header, answered 202 Accepted,
// or status when set (403, 500 as documented).
type runtimeAPI struct {
	status int

	mu        sync.Mutex
	got       map[string]any
	errorType string
	calls     int
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/2018-06-01/runtime/init/error" {
		http.Error(w, `{"errorMessage":"not found","errorType":"InvalidRequest"}`, http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	a.errorType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	if err := json.Unmarshal(body, &a.got); err != nil {
		http.Error(w, `{"errorMessage":"bad body","errorType":"InvalidRequestContent"}`, http.StatusBadRequest)
		return
	}
	status := a.status
	if status == 0 {
		status = http.StatusAccepted
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func TestReport(t *testing.T) {
	api := &runtimeAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	cause := errors.New("OTP_TABLE_NAME: required\nOTP_CODE_LENGTH: \"x\" is not a whole number from 4 to 10")
	err := lambdainit.Report(context.Background(), srv.Client(), strings.TrimPrefix(srv.URL, "http://"), lambdainit.ConfigInvalid, cause)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	want := map[string]any{"errorMessage": cause.Error(), "errorType": "Runtime.ConfigInvalid", "stackTrace": []any{}}
	if diff := cmp.Diff(want, api.got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if api.errorType != "Runtime.ConfigInvalid" {
		t.Errorf("Lambda-Runtime-Function-Error-Type %q, want Runtime.ConfigInvalid", api.errorType)
	}
}

func TestReportRefused(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := httptest.NewServer(&runtimeAPI{status: status})
			defer srv.Close()
			err := lambdainit.Report(context.Background(), srv.Client(), strings.TrimPrefix(srv.URL, "http://"), lambdainit.DependencyFailed, errors.New("x"))
			if err == nil || !strings.Contains(err.Error(), http.StatusText(status)) {
				t.Errorf("Report: %v, want an error naming %d", err, status)
			}
		})
	}
}

func TestReportUnreachable(t *testing.T) {
	srv := httptest.NewServer(&runtimeAPI{})
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	if err := lambdainit.Report(context.Background(), http.DefaultClient, addr, lambdainit.ConfigInvalid, errors.New("x")); err == nil {
		t.Error("Report to a closed server: nil error")
	}
}
