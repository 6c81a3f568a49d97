package deploy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// initErrors is the part of the Lambda Runtime API a function that fails
// its init talks to: POST /2018-06-01/runtime/init/error (answered 202).
// A request for the next event is recorded too: it must not come.
type initErrors struct {
	mu        sync.Mutex
	posted    []map[string]string
	errorType []string
	next      int
}

func (a *initErrors) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/2018-06-01/runtime/init/error":
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		msg, _ := body["errorMessage"].(string)
		typ, _ := body["errorType"].(string)
		a.posted = append(a.posted, map[string]string{"errorMessage": msg, "errorType": typ})
		a.errorType = append(a.errorType, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	case r.URL.Path == "/2018-06-01/runtime/invocation/next":
		a.next++
		http.Error(w, "no events here", http.StatusInternalServerError)
	default:
		http.NotFound(w, r)
	}
}

// TestBadConfigurationFailsTheInit runs each built function with a bad
// variable under a Runtime API: it must report an init error naming that
// variable, and exit, before asking for an event.
func TestBadConfigurationFailsTheInit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function")
	}
	// names are the variables the error must name; one in env but not in
	// names must not be named: a valid value, or another function's
	// variable, which this one does not read (OTP_ALLOW_VOIP is PreSignUp's).
	bad := map[string]struct{ env, names []string }{
		"define-auth-challenge": {[]string{"OTP_MAX_ATTEMPTS=0"}, []string{"OTP_MAX_ATTEMPTS"}},
		"pre-sign-up":           {[]string{"OTP_ALLOWED_COUNTRIES=XX", "OTP_ALLOW_VOIP=perhaps"}, []string{"OTP_ALLOWED_COUNTRIES", "OTP_ALLOW_VOIP"}},
		"create-auth-challenge": {[]string{"OTP_CODE_LENGTH=x", "OTP_ALLOW_VOIP=perhaps"}, []string{"OTP_CODE_LENGTH", "OTP_TABLE_NAME", "OTP_QUEUE_URL", "OTP_SECRET"}},
		"verify-auth-challenge": {[]string{"OTP_TABLE_NAME=otp", "OTP_SECRET=ssm:/otp", "OTP_DEADLINE=1h"}, []string{"OTP_DEADLINE"}},
		"post-authentication":   {[]string{"OTP_LOG_LEVEL=LOUD"}, []string{"OTP_LOG_LEVEL", "OTP_TABLE_NAME"}},
		"sms-worker":            {[]string{"SMS_PROVIDERS=pigeon", "WORKER_CLAIM_STALE=1s"}, []string{"SMS_PROVIDERS", "WORKER_CLAIM_STALE", "OTP_DLQ_URL"}},
		"sms-receipts":          {[]string{"TWILIO_STATUS_CALLBACK=http://x.example/", "SMS_DELIVERY_SHARDS=0"}, []string{"OTP_TABLE_NAME", "TWILIO_STATUS_CALLBACK", "TWILIO_AUTH_TOKEN_SECRET", "SMS_DELIVERY_SHARDS"}},
		// An alias is not enough: the strict keyring needs the key's ARN.
		"custom-sms-sender": {[]string{"OTP_KMS_KEY_ARN=alias/otp", "OTP_CUSTOM_SMS_WINDOW=1h"}, []string{"OTP_KMS_KEY_ARN", "OTP_CUSTOM_SMS_WINDOW", "OTP_TABLE_NAME", "OTP_QUEUE_URL", "OTP_SECRET"}},
	}
	dir := t.TempDir()
	args := []string{"build", "-tags", "lambda.norpc", "-o", dir + string(filepath.Separator)}
	for _, f := range functions {
		args = append(args, "./cmd/"+f.cmd)
	}
	build := exec.Command("go", args...)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, f := range functions {
		t.Run(f.cmd, func(t *testing.T) {
			api := &initErrors{}
			srv := httptest.NewServer(api)
			defer srv.Close()
			cmd := exec.Command(filepath.Join(dir, f.cmd))
			cmd.Env = append([]string{
				"PATH=" + os.Getenv("PATH"),
				"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(srv.URL, "http://"),
			}, bad[f.cmd].env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("exit status 0, want a failed start\n%s", out)
			}
			api.mu.Lock()
			defer api.mu.Unlock()
			if api.next != 0 {
				t.Errorf("asked for an event %d times before failing", api.next)
			}
			if len(api.posted) != 1 {
				t.Fatalf("%d init errors posted, want 1\n%s", len(api.posted), out)
			}
			got := api.posted[0]
			if got["errorType"] != "Runtime.ConfigInvalid" || api.errorType[0] != "Runtime.ConfigInvalid" {
				t.Errorf("error type %q, header %q, want Runtime.ConfigInvalid", got["errorType"], api.errorType[0])
			}
			for _, name := range bad[f.cmd].names {
				if !strings.Contains(got["errorMessage"], name+": ") {
					t.Errorf("init error %q does not name %s", got["errorMessage"], name)
				}
			}
			for _, kv := range bad[f.cmd].env {
				name, _, _ := strings.Cut(kv, "=")
				if !slices.Contains(bad[f.cmd].names, name) && strings.Contains(got["errorMessage"], name+": ") {
					t.Errorf("init error %q names %s, another function's variable", got["errorMessage"], name)
				}
			}
		})
	}
}
