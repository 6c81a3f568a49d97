package secret

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
)

// Values in testdata; tests check that none of them ever shows in an error
// or a formatted value.
const (
	fixtureSecretString = "test-only-server-secret-0123456789abcdef"
	fixtureSecretBinary = "00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc00ff"
	fixtureSSMValue     = "test-only-ssm-secret-fedcba9876543210"
)

// fakeAWS speaks the AWS JSON 1.1 protocol as the Secrets Manager and SSM API
// references document it: POST / with Content-Type application/x-amz-json-1.1,
// the operation in X-Amz-Target, a JSON request body; a JSON response body,
// or on error an HTTP 4xx/5xx with {"__type": "...", "message": "..."}.
// It checks every request against what the operation must send and counts
// them.
type fakeAWS struct {
	t        *testing.T
	target   string         // e.g. "secretsmanager.GetSecretValue"
	signing  string         // service name in the SigV4 credential scope
	wantBody map[string]any // the request body the operation must send

	mu       sync.Mutex
	arrived  chan struct{} // if non-nil, gets a value as each request arrives
	gate     chan struct{} // if non-nil, requests wait for it to close before replying
	status   int
	body     []byte
	requests int
}

func (f *fakeAWS) reply(status int, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body = status, body
}

func (f *fakeAWS) replyFile(status int, name string) {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.t.Fatal(err)
	}
	f.reply(status, b)
}

// hold makes requests announce themselves on the returned channel and wait
// until release is called.
func (f *fakeAWS) hold() (arrived <-chan struct{}, release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, g := make(chan struct{}, 100), make(chan struct{})
	f.arrived, f.gate = a, g
	return a, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.arrived, f.gate = nil, nil
		close(g)
	}
}

func (f *fakeAWS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-4000-8000-000000000000")
	if problem := f.check(r); problem != "" {
		f.t.Errorf("fake %s: %s", f.target, problem)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"ValidationException","message":%q}`, "fake: "+problem)
		return
	}
	f.mu.Lock()
	arrived, gate := f.arrived, f.gate
	f.mu.Unlock()
	if arrived != nil {
		arrived <- struct{}{}
	}
	if gate != nil {
		<-gate
	}
	f.mu.Lock()
	f.requests++
	status, body := f.status, f.body
	f.mu.Unlock()
	w.WriteHeader(status)
	w.Write(body)
}

// check returns what is wrong with r, or "".
func (f *fakeAWS) check(r *http.Request) string {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return fmt.Sprintf("request is %s %s, want POST /", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		return fmt.Sprintf("Content-Type %q, want application/x-amz-json-1.1", got)
	}
	if got := r.Header.Get("X-Amz-Target"); got != f.target {
		return fmt.Sprintf("X-Amz-Target %q, want %q", got, f.target)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/us-east-1/"+f.signing+"/aws4_request") {
		return fmt.Sprintf("Authorization %q is not SigV4 for us-east-1/%s", auth, f.signing)
	}
	var got map[string]any
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&got); err != nil {
		return fmt.Sprintf("request body: %v", err)
	}
	if diff := cmp.Diff(f.wantBody, got); diff != "" {
		return fmt.Sprintf("request body mismatch (-want +got):\n%s", diff)
	}
	return ""
}

func (f *fakeAWS) serve() string {
	srv := httptest.NewServer(f)
	f.t.Cleanup(srv.Close)
	return srv.URL
}

var testCreds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "dummy-secret-access-key", "")

// client is the client the functions use (internal/awsjson), pointed at f.
func client(f *fakeAWS, svc awsjson.Service) *awsjson.Client {
	return awsjson.New(aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(f.serve()),
		Credentials:      testCreds,
		RetryMaxAttempts: 1, // one request per fetch, so counts are exact
	}, svc)
}

// newSecretsManager returns the client and a fake that expects
// GetSecretValue for secretID.
func newSecretsManager(t *testing.T, secretID string) (*awsjson.Client, *fakeAWS) {
	t.Helper()
	f := &fakeAWS{t: t, target: "secretsmanager.GetSecretValue", signing: "secretsmanager", wantBody: map[string]any{"SecretId": secretID}}
	f.replyFile(http.StatusOK, "secretsmanager-GetSecretValue-string.json")
	return client(f, awsjson.SecretsManager), f
}

// newSSM returns the client and a fake that expects a decrypting
// GetParameter for name.
func newSSM(t *testing.T, name string) (*awsjson.Client, *fakeAWS) {
	t.Helper()
	f := &fakeAWS{t: t, target: "AmazonSSM.GetParameter", signing: "ssm", wantBody: map[string]any{"Name": name, "WithDecryption": true}}
	f.replyFile(http.StatusOK, "ssm-GetParameter-securestring.json")
	return client(f, awsjson.SSM), f
}

// secretResponse is a GetSecretValue response body with SecretString s.
func secretResponse(s string) []byte {
	b, _ := json.Marshal(map[string]any{
		"ARN":           "arn:aws:secretsmanager:us-east-1:123456789012:secret:otp/server-secret-a1b2c3",
		"CreatedDate":   1.7e9,
		"Name":          "otp/server-secret",
		"SecretString":  s,
		"VersionId":     "EXAMPLE4-90ab-cdef-fedc-ba987SECRET4",
		"VersionStages": []string{"AWSCURRENT"},
	})
	return b
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkNoSecret fails if s shows any of the test secrets.
func checkNoSecret(t *testing.T, what, s string, extra ...string) {
	t.Helper()
	for _, secret := range append([]string{fixtureSecretString, fixtureSSMValue, fixtureSecretBinary}, extra...) {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("%s %q shows a secret value", what, s)
		}
	}
}

func TestSecretsManagerFetch(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		file      string
		want      []byte
		wantErr   error  // sentinel, if any
		wantInErr string // substring of the error
	}{
		{name: "SecretString", status: 200, file: "secretsmanager-GetSecretValue-string.json", want: []byte(fixtureSecretString)},
		{name: "SecretBinary", status: 200, file: "secretsmanager-GetSecretValue-binary.json", want: mustHex(t, fixtureSecretBinary)},
		{name: "no value", status: 200, file: "secretsmanager-GetSecretValue-novalue.json", wantErr: ErrEmpty},
		{name: "not found", status: 400, file: "secretsmanager-ResourceNotFoundException.json", wantErr: ErrNotFound, wantInErr: "ResourceNotFoundException"},
		{name: "server error", status: 500, file: "secretsmanager-InternalServiceError.json", wantInErr: "InternalServiceError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, fake := newSecretsManager(t, "otp/server-secret")
			fake.replyFile(tt.status, tt.file)
			got, err := NewSecretsManager(client, "otp/server-secret").Fetch(context.Background())
			if tt.wantErr != nil || tt.wantInErr != "" {
				if err == nil {
					t.Fatalf("Fetch = %x, want error", got)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("Fetch error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantInErr) || !strings.Contains(err.Error(), `"otp/server-secret"`) {
					t.Errorf("Fetch error = %q, want it to name the secret and contain %q", err, tt.wantInErr)
				}
				checkNoSecret(t, "error", err.Error())
				return
			}
			if err != nil {
				t.Fatalf("Fetch error = %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Fetch = %x, want %x", got, tt.want)
			}
			if n := fake.count(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestSecretsManagerNotFoundKeepsAPIError(t *testing.T) {
	client, fake := newSecretsManager(t, "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf")
	fake.replyFile(400, "secretsmanager-ResourceNotFoundException.json")
	_, err := NewSecretsManager(client, "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf").Fetch(context.Background())
	var nf *awsjson.APIError
	if !errors.As(err, &nf) || nf.Code != "ResourceNotFoundException" {
		t.Fatalf("error %v is not an *awsjson.APIError with code ResourceNotFoundException", err)
	}
	if got, want := nf.Message, "Secrets Manager can't find the specified secret."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestSSMParameterFetch(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		file      string
		want      []byte
		wantErr   error
		wantInErr string
	}{
		{name: "SecureString", status: 200, file: "ssm-GetParameter-securestring.json", want: []byte(fixtureSSMValue)},
		{name: "String refused", status: 200, file: "ssm-GetParameter-string.json", wantInErr: `parameter type is "String", want "SecureString"`},
		{name: "not found", status: 400, file: "ssm-ParameterNotFound.json", wantErr: ErrNotFound, wantInErr: "ParameterNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, fake := newSSM(t, "/otp/server-secret")
			fake.replyFile(tt.status, tt.file)
			got, err := NewSSMParameter(client, "/otp/server-secret").Fetch(context.Background())
			if tt.wantErr != nil || tt.wantInErr != "" {
				if err == nil {
					t.Fatalf("Fetch = %q, want error", got)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("Fetch error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantInErr) || !strings.Contains(err.Error(), `"/otp/server-secret"`) {
					t.Errorf("Fetch error = %q, want it to name the parameter and contain %q", err, tt.wantInErr)
				}
				checkNoSecret(t, "error", err.Error(), "test-only-plain-parameter-value")
				return
			}
			if err != nil {
				t.Fatalf("Fetch error = %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Fetch = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("not found keeps the API error", func(t *testing.T) {
		client, fake := newSSM(t, "/otp/missing")
		fake.replyFile(400, "ssm-ParameterNotFound.json")
		_, err := NewSSMParameter(client, "/otp/missing").Fetch(context.Background())
		var nf *awsjson.APIError
		if !errors.As(err, &nf) || nf.Code != "ParameterNotFound" {
			t.Errorf("error %v is not an *awsjson.APIError with code ParameterNotFound", err)
		}
	})
}

func TestStatic(t *testing.T) {
	in := []byte("local-dev-secret")
	s := NewStatic(in)
	in[0] = 'X' // NewStatic copied it
	got, err := s.Fetch(context.Background())
	if err != nil || string(got) != "local-dev-secret" {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	got[0] = 'Y' // Fetch returned a copy
	if again, _ := s.Fetch(context.Background()); string(again) != "local-dev-secret" {
		t.Errorf("value changed to %q through a returned slice", again)
	}
	if _, err := NewStatic(nil).Fetch(context.Background()); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty Static: error = %v, want ErrEmpty", err)
	}
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func newClock() *testutil.Clock { return testutil.NewClock(t0) }

// step is one Get at a point in time and what it must see.
type step struct {
	at       time.Duration // clock = t0 + at
	reply    []byte        // if non-nil, the fake's 200 body from now on
	failWith string        // if set, the fake answers 500 with this file from now on
	want     string        // value Get must return, "" means an error
	requests int           // fake's request count after the Get
}

func runSteps(t *testing.T, ttl time.Duration, steps []step) {
	t.Helper()
	client, fake := newSecretsManager(t, "otp/server-secret")
	clk := newClock()
	c := NewCache(NewSecretsManager(client, "otp/server-secret"), ttl, clk.Now)
	for i, s := range steps {
		clk.Set(t0.Add(s.at))
		switch {
		case s.reply != nil:
			fake.reply(200, s.reply)
		case s.failWith != "":
			fake.replyFile(500, s.failWith)
		}
		got, err := c.Get(context.Background())
		switch {
		case s.want == "" && err == nil:
			t.Errorf("step %d (t0+%v): Get = %q, want error", i, s.at, got)
		case s.want != "" && err != nil:
			t.Errorf("step %d (t0+%v): Get error = %v, want %q", i, s.at, err, s.want)
		case s.want != "" && string(got) != s.want:
			t.Errorf("step %d (t0+%v): Get = %q, want %q", i, s.at, got, s.want)
		}
		if err != nil {
			checkNoSecret(t, "error", err.Error(), "value-1", "value-2")
		}
		if n := fake.count(); n != s.requests {
			t.Errorf("step %d (t0+%v): %d requests so far, want %d", i, s.at, n, s.requests)
		}
	}
}

func TestCacheHitWithinTTL(t *testing.T) {
	runSteps(t, time.Minute, []step{
		{at: 0, want: fixtureSecretString, requests: 1},
		{at: time.Second, want: fixtureSecretString, requests: 1},
		{at: time.Minute - time.Nanosecond, want: fixtureSecretString, requests: 1},
	})
}

func TestCacheRotationVisibleAfterTTL(t *testing.T) {
	runSteps(t, time.Minute, []step{
		{at: 0, reply: secretResponse("value-1"), want: "value-1", requests: 1},
		// The secret is rotated; the cache keeps the old value until the TTL.
		{at: 30 * time.Second, reply: secretResponse("value-2"), want: "value-1", requests: 1},
		{at: time.Minute, want: "value-2", requests: 2},
		{at: time.Minute + 59*time.Second, want: "value-2", requests: 2},
		{at: 2 * time.Minute, want: "value-2", requests: 3},
	})
}

func TestCacheStaleOnError(t *testing.T) {
	ttl := time.Minute // stale bound 3m, retry after a failure every 6s
	runSteps(t, ttl, []step{
		{at: 0, reply: secretResponse("value-1"), want: "value-1", requests: 1},
		// Refresh fails: the previous value is served, no error.
		{at: ttl + time.Second, failWith: "secretsmanager-InternalServiceError.json", want: "value-1", requests: 2},
		// Within TTL/10 of the failure: no new request.
		{at: ttl + 6*time.Second, want: "value-1", requests: 2},
		// After TTL/10: try again, fail again, still served.
		{at: ttl + 7*time.Second, want: "value-1", requests: 3},
		{at: 3*ttl - time.Second, want: "value-1", requests: 4},
		// The value is now 3×TTL old: the error comes through.
		{at: 3 * ttl, want: "", requests: 5},
		{at: 3*ttl + time.Second, want: "", requests: 6},
		// The store recovers.
		{at: 3*ttl + 2*time.Second, reply: secretResponse("value-2"), want: "value-2", requests: 7},
		{at: 4 * ttl, want: "value-2", requests: 7},
	})
}

func TestCacheNoValueErrorEveryTime(t *testing.T) {
	client, fake := newSecretsManager(t, "otp/server-secret")
	fake.replyFile(400, "secretsmanager-ResourceNotFoundException.json")
	c := NewCache(NewSecretsManager(client, "otp/server-secret"), time.Minute, newClock().Now)
	for i := range 2 {
		_, err := c.Get(context.Background())
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Get %d error = %v, want ErrNotFound", i, err)
		}
	}
	// Without a value to fall back on, every Get asks again.
	if n := fake.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestCacheConcurrentGet(t *testing.T) {
	client, fake := newSecretsManager(t, "otp/server-secret")
	arrived, release := fake.hold()
	clk := newClock()
	c := NewCache(NewSecretsManager(client, "otp/server-secret"), time.Minute, clk.Now)

	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			v, err := c.Get(context.Background())
			if err == nil && string(v) != fixtureSecretString {
				err = fmt.Errorf("Get = %q", v)
			}
			errs <- err
		})
	}
	<-arrived // one fetch is in flight and blocked
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// Every Get either waited for the one fetch or found its fresh value.
	if got := fake.count(); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}

	// Past the TTL, concurrent Gets again share one refresh.
	clk.Set(t0.Add(time.Minute))
	for range n {
		wg.Go(func() {
			if _, err := c.Get(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := fake.count(); got != 2 {
		t.Errorf("%d requests after the TTL, want 2", got)
	}
}

func TestCacheCallerGivesUp(t *testing.T) {
	client, fake := newSecretsManager(t, "otp/server-secret")
	arrived, release := fake.hold()
	c := NewCache(NewSecretsManager(client, "otp/server-secret"), time.Minute, newClock().Now)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx)
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Get with canceled context: error = %v, want context.Canceled", err)
	}
	// The fetch was not canceled with its first caller: the next Get shares it.
	release()
	v, err := c.Get(context.Background())
	if err != nil || string(v) != fixtureSecretString {
		t.Errorf("Get = %q, %v", v, err)
	}
	if n := fake.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestCacheReturnsCopies(t *testing.T) {
	c := NewCache(NewStatic([]byte("abc")), time.Minute, newClock().Now)
	v, _ := c.Get(context.Background())
	v[0] = 'X'
	if again, _ := c.Get(context.Background()); string(again) != "abc" {
		t.Errorf("cached value changed to %q through a returned slice", again)
	}
}

type fetcherFunc func(ctx context.Context) ([]byte, error)

func (f fetcherFunc) Fetch(ctx context.Context) ([]byte, error) { return f(ctx) }

func TestCacheFetcherPanics(t *testing.T) {
	c := NewCache(fetcherFunc(func(context.Context) ([]byte, error) { panic("boom " + fixtureSecretString) }), time.Minute, nil)
	_, err := c.Get(context.Background())
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("Get error = %v, want a panic error", err)
	}
	checkNoSecret(t, "error", err.Error())
}

func TestCacheEmptyValue(t *testing.T) {
	c := NewCache(fetcherFunc(func(context.Context) ([]byte, error) { return nil, nil }), time.Minute, nil)
	if _, err := c.Get(context.Background()); !errors.Is(err, ErrEmpty) {
		t.Errorf("Get error = %v, want ErrEmpty", err)
	}
}

func TestNewCacheTTL(t *testing.T) {
	tests := []struct {
		ttl, want time.Duration
	}{
		{time.Minute, time.Minute},
		{MaxTTL, MaxTTL},
		{MaxTTL + time.Nanosecond, MaxTTL},
		{time.Hour, MaxTTL},
		{0, MaxTTL},
		{-time.Second, MaxTTL},
	}
	for _, tt := range tests {
		if got := NewCache(NewStatic([]byte("x")), tt.ttl, nil).TTL(); got != tt.want {
			t.Errorf("NewCache(ttl %v).TTL() = %v, want %v", tt.ttl, got, tt.want)
		}
	}
}

func TestNoSecretInFormattedValues(t *testing.T) {
	s := NewStatic([]byte(fixtureSecretString))
	c := NewCache(s, time.Minute, nil)
	if _, err := c.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{s, c, &s, []any{s, c}, struct{ S Static }{s}} {
			got := fmt.Sprintf(verb, v)
			checkNoSecret(t, fmt.Sprintf("%s of %T", verb, v), got,
				hex.EncodeToString([]byte(fixtureSecretString)),
				strings.Trim(fmt.Sprint([]byte(fixtureSecretString)), "[]"), // as %v of []byte prints it
			)
		}
	}
}

type stubSM struct{ API }
type stubSSM struct{ API }

func TestFromSpec(t *testing.T) {
	sm, ssmc := &stubSM{}, &stubSSM{}
	tests := []struct {
		name      string
		spec      string
		noSM      bool // pass a nil Secrets Manager client
		noSSM     bool // pass a nil SSM client
		want      Fetcher
		wantInErr string
	}{
		{name: "secretsmanager name", spec: "secretsmanager:otp/server-secret", want: NewSecretsManager(sm, "otp/server-secret")},
		{name: "secretsmanager ARN", spec: "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:otp-AbCdEf", want: NewSecretsManager(sm, "arn:aws:secretsmanager:us-east-1:123456789012:secret:otp-AbCdEf")},
		{name: "kind case and spaces", spec: " SecretsManager : otp/server-secret ", want: NewSecretsManager(sm, "otp/server-secret")},
		{name: "secretsmanager without SSM client", spec: "secretsmanager:otp", noSSM: true, want: NewSecretsManager(sm, "otp")},
		{name: "ssm name", spec: "ssm:/otp/server-secret", want: NewSSMParameter(ssmc, "/otp/server-secret")},
		{name: "ssm ARN", spec: "ssm:arn:aws:ssm:us-east-1:123456789012:parameter/otp/server-secret", want: NewSSMParameter(ssmc, "arn:aws:ssm:us-east-1:123456789012:parameter/otp/server-secret")},
		{name: "ssm version selector", spec: "ssm:/otp/server-secret:3", want: NewSSMParameter(ssmc, "/otp/server-secret:3")},
		{name: "ssm without SM client", spec: "ssm:/x", noSM: true, want: NewSSMParameter(ssmc, "/x")},
		{name: "plain", spec: "plain:local-dev-secret", want: NewStatic([]byte("local-dev-secret"))},
		{name: "plain keeps colons and spaces", spec: "plain: a:b ", want: NewStatic([]byte(" a:b "))},
		{name: "plain needs no client", spec: "plain:x", noSM: true, noSSM: true, want: NewStatic([]byte("x"))},

		{name: "empty", spec: "", wantInErr: "no kind"},
		{name: "bare secret", spec: "hunter2-" + fixtureSecretString, wantInErr: "no kind"},
		{name: "unknown kind", spec: "vault:" + fixtureSecretString, wantInErr: "unknown kind"},
		{name: "secret as kind", spec: fixtureSecretString + ":x", wantInErr: "unknown kind"},
		{name: "secretsmanager empty", spec: "secretsmanager:", wantInErr: "secret id is empty"},
		{name: "secretsmanager spaces", spec: "secretsmanager:   ", wantInErr: "secret id is empty"},
		{name: "secretsmanager inner space", spec: "secretsmanager:otp server", wantInErr: "space or control"},
		{name: "secretsmanager too long", spec: "secretsmanager:" + strings.Repeat("a", 2049), wantInErr: "longer than 2048"},
		{name: "secretsmanager no client", spec: "secretsmanager:otp", noSM: true, wantInErr: "no Secrets Manager client"},
		{name: "ssm empty", spec: "ssm:", wantInErr: "parameter name is empty"},
		{name: "ssm newline", spec: "ssm:/otp/\nx", wantInErr: "space or control"},
		{name: "ssm no client", spec: "ssm:/otp", noSSM: true, wantInErr: "no SSM client"},
		{name: "plain empty", spec: "plain:", wantInErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var smArg API = sm
			var ssmArg API = ssmc
			if tt.noSM {
				smArg = nil
			}
			if tt.noSSM {
				ssmArg = nil
			}
			got, err := FromSpec(tt.spec, smArg, ssmArg)
			if tt.wantInErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
					t.Fatalf("FromSpec error = %v, want one containing %q", err, tt.wantInErr)
				}
				checkNoSecret(t, "error", err.Error(), "hunter2")
				return
			}
			if err != nil {
				t.Fatalf("FromSpec error = %v", err)
			}
			opts := cmp.AllowUnexported(SecretsManager{}, SSMParameter{}, Static{})
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("FromSpec mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The client reads the body of a non-2xx response; make sure a fake error with
// an empty body still gives an error, not a value.
func TestSecretsManagerEmptyErrorBody(t *testing.T) {
	client, fake := newSecretsManager(t, "otp/server-secret")
	fake.reply(http.StatusInternalServerError, nil)
	if _, err := NewSecretsManager(client, "otp/server-secret").Fetch(context.Background()); err == nil {
		t.Error("Fetch with HTTP 500 and no body: no error")
	}
}
