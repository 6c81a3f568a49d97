package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
)

const (
	testTo   = "+15558675310"
	testBody = "Your code is 482913\n\n@example.com #482913"
	testCode = "482913"
)

var testNow = time.Date(2026, 11, 25, 17, 43, 45, 0, time.UTC)

func clock() time.Time { return testNow }

func fromConfig(base string) twilio.Config {
	return twilio.Config{AccountSID: testSID, AuthToken: testToken, From: testFrom, APIBaseURL: base}
}

func serviceConfig(base string) twilio.Config {
	return twilio.Config{AccountSID: testSID, AuthToken: testToken, MessagingServiceSID: testService, APIBaseURL: base}
}

func newProvider(t *testing.T, cfg twilio.Config, opts ...twilio.Option) *twilio.Provider {
	t.Helper()
	// A transport of its own: httptest.Server.Close closes the idle
	// connections of http.DefaultTransport, which breaks a parallel test's
	// request that is just picking one up.
	own := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: twilio.DefaultTimeout}
	t.Cleanup(own.CloseIdleConnections)
	p, err := twilio.New(cfg, append([]twilio.Option{twilio.WithClock(clock), twilio.WithHTTPClient(own)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func message(expiresIn time.Duration) providers.Message {
	return providers.Message{ID: "m-1", To: testTo, Country: "US", Body: testBody, ExpiresAt: testNow.Add(expiresIn)}
}

func TestName(t *testing.T) {
	p := newProvider(t, fromConfig(""))
	if got := p.Name(); got != "twilio" {
		t.Errorf("Name() = %q", got)
	}
}

// TestSendForm checks the form Twilio receives and the receipt, for each
// sender and option.
func TestSendForm(t *testing.T) {
	const callback = "https://hooks.example.com/twilio/status"
	tests := []struct {
		name     string
		cfg      func(base string) twilio.Config
		msg      providers.Message
		wantForm url.Values
	}{{
		name:     "from number",
		cfg:      fromConfig,
		msg:      message(5 * time.Minute),
		wantForm: url.Values{"To": {testTo}, "From": {testFrom}, "Body": {testBody}},
	}, {
		name: "alphanumeric sender",
		cfg: func(base string) twilio.Config {
			c := fromConfig(base)
			c.From = "Acme OTP"
			return c
		},
		msg:      message(5 * time.Minute),
		wantForm: url.Values{"To": {testTo}, "From": {"Acme OTP"}, "Body": {testBody}},
	}, {
		name: "from number with status callback",
		cfg: func(base string) twilio.Config {
			c := fromConfig(base)
			c.StatusCallback = callback
			return c
		},
		msg:      message(5 * time.Minute),
		wantForm: url.Values{"To": {testTo}, "From": {testFrom}, "Body": {testBody}, "StatusCallback": {callback}},
	}, {
		name:     "messaging service: validity period is the code's remaining life",
		cfg:      serviceConfig,
		msg:      message(5 * time.Minute),
		wantForm: url.Values{"To": {testTo}, "MessagingServiceSid": {testService}, "Body": {testBody}, "ValidityPeriod": {"300"}},
	}, {
		name:     "messaging service: part seconds round down",
		cfg:      serviceConfig,
		msg:      message(299*time.Second + 999*time.Millisecond),
		wantForm: url.Values{"To": {testTo}, "MessagingServiceSid": {testService}, "Body": {testBody}, "ValidityPeriod": {"299"}},
	}, {
		name:     "messaging service: one second left",
		cfg:      serviceConfig,
		msg:      message(time.Second),
		wantForm: url.Values{"To": {testTo}, "MessagingServiceSid": {testService}, "Body": {testBody}, "ValidityPeriod": {"1"}},
	}, {
		name:     "messaging service: capped at Twilio's 36000 seconds",
		cfg:      serviceConfig,
		msg:      message(11 * time.Hour),
		wantForm: url.Values{"To": {testTo}, "MessagingServiceSid": {testService}, "Body": {testBody}, "ValidityPeriod": {"36000"}},
	}, {
		name:     "messaging service: no expiry known, no validity period",
		cfg:      serviceConfig,
		msg:      providers.Message{ID: "m-1", To: testTo, Body: testBody},
		wantForm: url.Values{"To": {testTo}, "MessagingServiceSid": {testService}, "Body": {testBody}},
	}, {
		name: "messaging service with status callback",
		cfg: func(base string) twilio.Config {
			c := serviceConfig(base)
			c.StatusCallback = callback
			return c
		},
		msg: message(3 * time.Minute),
		wantForm: url.Values{"To": {testTo}, "MessagingServiceSid": {testService}, "Body": {testBody},
			"ValidityPeriod": {"180"}, "StatusCallback": {callback}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			p := newProvider(t, tt.cfg(f.URL()))
			got, err := p.Send(context.Background(), tt.msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			want := providers.Receipt{Provider: "twilio", MessageID: fmt.Sprintf("SM%032x", 1)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
			forms := f.Forms()
			if len(forms) != 1 {
				t.Fatalf("Twilio got %d requests, want 1", len(forms))
			}
			if diff := cmp.Diff(tt.wantForm, forms[0]); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSendExpired: a code with less than a second to live is not sent.
func TestSendExpired(t *testing.T) {
	for _, cfg := range []func(string) twilio.Config{fromConfig, serviceConfig} {
		for _, left := range []time.Duration{999 * time.Millisecond, 0, -time.Second, -time.Hour} {
			t.Run(fmt.Sprintf("%s/%v", cfg("").From+cfg("").MessagingServiceSID, left), func(t *testing.T) {
				t.Parallel()
				f := newFake(t)
				p := newProvider(t, cfg(f.URL()))
				_, err := p.Send(context.Background(), message(left))
				pe := providerError(t, err)
				if pe.Kind != providers.Permanent || pe.Code != "expired" || twilio.CodeExpired != "expired" {
					t.Errorf("error %+v, want permanent, code expired", pe)
				}
				if n := len(f.Forms()); n != 0 {
					t.Errorf("Twilio got %d requests, want none", n)
				}
				assertClean(t, err)
			})
		}
	}
}

// TestSendErrors: every classified code, as the fake Twilio answers it over
// the wire, and the answers that carry no code.
func TestSendErrors(t *testing.T) {
	type want struct {
		kind       providers.Kind
		code       string
		status     int // 0: no *twilio.APIError expected
		retryAfter time.Duration
	}
	twilioError := func(status, code int) func(http.ResponseWriter, *http.Request, url.Values) {
		return func(w http.ResponseWriter, _ *http.Request, form url.Values) {
			writeError(w, status, code, twilioMessage(code, form.Get("To")))
		}
	}
	const (
		transient    = providers.Transient
		providerSide = providers.ProviderSide
		permanent    = providers.Permanent
	)
	// The expectations are written out here, not derived from the package's
	// table, so that changing a classification fails this test.
	byCode := []struct {
		status, code int
		kind         providers.Kind
	}{
		{401, 20003, providerSide},
		{403, 20403, providerSide},
		{404, 20404, providerSide},
		{429, 20429, transient},
		{500, 20500, transient},
		{503, 20503, transient},
		{400, 21211, permanent},
		{400, 21212, providerSide},
		{400, 21217, permanent},
		{400, 21265, permanent},
		{400, 21401, providerSide},
		{400, 21408, providerSide},
		{400, 21601, providerSide},
		{400, 21602, providerSide},
		{400, 21603, providerSide},
		{400, 21604, permanent},
		{400, 21606, providerSide},
		{400, 21608, providerSide},
		{400, 21610, permanent},
		{400, 21611, transient},
		{400, 21612, providerSide},
		{400, 21614, permanent},
		{400, 21617, providerSide},
		{400, 21624, providerSide},
		{400, 21635, permanent},
		{400, 21701, providerSide},
		{400, 21705, providerSide},
		{400, 63038, providerSide},
		{400, 90007, providerSide},
		// Unknown codes go by HTTP status.
		{400, 12345, providerSide},
		{403, 12345, providerSide},
		{500, 12345, transient},
		{502, 12345, transient},
		{408, 12345, transient},
		{429, 12345, transient},
	}
	tests := []struct {
		name  string
		reply func(http.ResponseWriter, *http.Request, url.Values)
		want  want
	}{}
	for _, c := range byCode {
		tests = append(tests, struct {
			name  string
			reply func(http.ResponseWriter, *http.Request, url.Values)
			want  want
		}{
			name:  fmt.Sprintf("%d %d", c.status, c.code),
			reply: twilioError(c.status, c.code),
			want:  want{kind: c.kind, code: fmt.Sprint(c.code), status: c.status},
		})
	}
	more := []struct {
		name  string
		reply func(http.ResponseWriter, *http.Request, url.Values)
		want  want
	}{{
		name: "details echo the number",
		reply: func(w http.ResponseWriter, _ *http.Request, form url.Values) {
			writeErrorDetails(w, 400, 21211, twilioMessage(21211, form.Get("To")), map[string]any{"to": form.Get("To"), "body": form.Get("Body")})
		},
		want: want{kind: permanent, code: "21211", status: 400},
	}, {
		name: "429 with Retry-After",
		reply: func(w http.ResponseWriter, _ *http.Request, form url.Values) {
			w.Header().Set("Retry-After", "3")
			writeError(w, 429, 20429, twilioMessage(20429, form.Get("To")))
		},
		want: want{kind: transient, code: "20429", status: 429, retryAfter: 3 * time.Second},
	}, {
		name: "permanent code ignores Retry-After",
		reply: func(w http.ResponseWriter, _ *http.Request, form url.Values) {
			w.Header().Set("Retry-After", "3")
			writeError(w, 400, 21610, twilioMessage(21610, form.Get("To")))
		},
		want: want{kind: permanent, code: "21610", status: 400},
	}, {
		name: "502 HTML page from a proxy",
		reply: func(w http.ResponseWriter, _ *http.Request, form url.Values) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			io.WriteString(w, "<html><body>Bad Gateway for "+form.Get("To")+"</body></html>")
		},
		want: want{kind: transient},
	}, {
		name: "503 empty body with Retry-After",
		reply: func(w http.ResponseWriter, _ *http.Request, _ url.Values) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(503)
		},
		want: want{kind: transient, retryAfter: 7 * time.Second},
	}, {
		name: "error JSON without a code",
		reply: func(w http.ResponseWriter, _ *http.Request, _ url.Values) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(504)
			io.WriteString(w, `{"message":"gateway timeout"}`)
		},
		want: want{kind: transient, status: 504},
	}, {
		name: "400 HTML page",
		reply: func(w http.ResponseWriter, _ *http.Request, _ url.Values) {
			w.WriteHeader(400)
			io.WriteString(w, "<html>bad request</html>")
		},
		want: want{kind: providerSide},
	}, {
		name: "200 that is not JSON",
		reply: func(w http.ResponseWriter, _ *http.Request, _ url.Values) {
			io.WriteString(w, "<html>captive portal</html>")
		},
		want: want{kind: providerSide},
	}, {
		name: "redirect is not followed",
		reply: func(w http.ResponseWriter, r *http.Request, _ url.Values) {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		},
		want: want{kind: providerSide},
	}}
	tests = append(tests, more...)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.reply = tt.reply
			p := newProvider(t, serviceConfig(f.URL()))
			got, err := p.Send(context.Background(), message(5*time.Minute))
			if got != (providers.Receipt{}) {
				t.Errorf("receipt %+v with an error", got)
			}
			pe := providerError(t, err)
			if pe.Provider != "twilio" || pe.Kind != tt.want.kind || pe.Code != tt.want.code || pe.RetryAfter != tt.want.retryAfter {
				t.Errorf("got provider %q kind %v code %q retry-after %v, want twilio %v %q %v (error: %v)",
					pe.Provider, pe.Kind, pe.Code, pe.RetryAfter, tt.want.kind, tt.want.code, tt.want.retryAfter, err)
			}
			if providers.Classify(err) != tt.want.kind {
				t.Errorf("Classify = %v", providers.Classify(err))
			}
			var ae *twilio.APIError
			switch {
			case tt.want.status != 0 && !errors.As(err, &ae):
				t.Errorf("no *twilio.APIError in %v", err)
			case tt.want.status != 0 && (ae.Status != tt.want.status || fmt.Sprint(ae.Code) != orZero(tt.want.code)):
				t.Errorf("APIError %+v, want status %d code %s", ae, tt.want.status, tt.want.code)
			case tt.want.status == 0 && errors.As(err, &ae):
				t.Errorf("unexpected *twilio.APIError %+v", ae)
			}
			if n := len(f.Forms()); n != 1 {
				t.Errorf("Twilio got %d requests, want 1 (no retries, no redirects)", n)
			}
			assertClean(t, err)
		})
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func TestSendWrongToken(t *testing.T) {
	f := newFake(t)
	cfg := fromConfig(f.URL())
	cfg.AuthToken = "ffffffffffffffffffffffffffffffff"
	p := newProvider(t, cfg)
	_, err := p.Send(context.Background(), message(time.Minute))
	pe := providerError(t, err)
	if pe.Kind != providers.ProviderSide || pe.Code != "20003" {
		t.Errorf("got %v, want provider-side 20003", err)
	}
	assertClean(t, err)
	if strings.Contains(err.Error(), cfg.AuthToken) {
		t.Errorf("error holds the token: %v", err)
	}
}

// TestSendContext: the caller's context reaches the request, which twilio-go
// itself builds with context.Background().
func TestSendContext(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		f := newFake(t)
		p := newProvider(t, fromConfig(f.URL()))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := p.Send(ctx, message(time.Minute))
		pe := providerError(t, err)
		if pe.Kind != providers.Transient || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want transient, context.Canceled", err)
		}
		if n := len(f.Forms()); n != 0 {
			t.Errorf("Twilio got %d requests", n)
		}
	})
	t.Run("cancelled while waiting for Twilio", func(t *testing.T) {
		f := newFake(t)
		arrived := make(chan struct{})
		f.reply = func(w http.ResponseWriter, r *http.Request, _ url.Values) {
			close(arrived)
			hang(r) // until the client goes away
		}
		p := newProvider(t, fromConfig(f.URL()))
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		start := time.Now()
		_, err := p.Send(ctx, message(time.Minute))
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send took %v after cancel", d)
		}
		pe := providerError(t, err)
		if pe.Kind != providers.Transient || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want transient, context.Canceled", err)
		}
		assertClean(t, err)
	})
	t.Run("cancelled while reading the answer", func(t *testing.T) {
		// Twilio has created the message but the answer is cut off: the
		// outcome is unknown, and the error says to send again.
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, _ url.Values) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"sid": "SM`)
			w.(http.Flusher).Flush()
			hang(r)
		}
		ctx, cancel := context.WithCancel(context.Background())
		// Cancel once the client has the status line and headers.
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := http.DefaultTransport.RoundTrip(r)
			cancel()
			return resp, err
		})
		p := newProvider(t, fromConfig(f.URL()), twilio.WithHTTPClient(&http.Client{Transport: rt}))
		_, err := p.Send(ctx, message(time.Minute))
		pe := providerError(t, err)
		if pe.Kind != providers.Transient || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want transient, context.Canceled", err)
		}
	})
	t.Run("client timeout", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, _ url.Values) { hang(r) }
		p := newProvider(t, fromConfig(f.URL()), twilio.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
		_, err := p.Send(context.Background(), message(time.Minute))
		pe := providerError(t, err)
		if pe.Kind != providers.Transient || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want transient, deadline exceeded", err)
		}
		assertClean(t, err)
	})
	t.Run("context deadline", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, _ url.Values) { hang(r) }
		p := newProvider(t, fromConfig(f.URL()))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := p.Send(ctx, message(time.Minute))
		if k := providers.Classify(err); k != providers.Transient || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v (%v), want transient, deadline exceeded", err, k)
		}
	})
}

// hang waits for the client to go away, or gives up after 3 s (an empty 200), so a
// context that never reaches the request fails the test instead of hanging it.
func hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(3 * time.Second):
	}
}

func TestSendNetworkError(t *testing.T) {
	f := newFake(t)
	base := f.URL()
	f.srv.Close() // connection refused
	p := newProvider(t, fromConfig(base))
	_, err := p.Send(context.Background(), message(time.Minute))
	pe := providerError(t, err)
	if pe.Kind != providers.Transient || pe.Code != "" {
		t.Errorf("got %v, want transient without code", err)
	}
	if strings.Contains(err.Error(), testSID) || strings.Contains(err.Error(), "Messages.json") {
		t.Errorf("error holds the request URL: %v", err)
	}
	assertClean(t, err)
}

func TestSendConcurrent(t *testing.T) {
	f := newFake(t)
	p := newProvider(t, serviceConfig(f.URL()))
	const n = 20
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			m := message(time.Minute)
			m.Body = fmt.Sprintf("code %06d", i)
			r, err := p.Send(context.Background(), m)
			if err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
			ids[i] = r.MessageID
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] || !strings.HasPrefix(id, "SM") {
			t.Errorf("receipt id %q repeated or malformed", id)
		}
		seen[id] = true
	}
	if got := len(f.Forms()); got != n {
		t.Errorf("Twilio got %d requests, want %d", got, n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// recorder is a RoundTripper that answers 201 without a network, noting
// the URL each request is sent to.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

type ctxKey struct{}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	body := `{"sid":"SM11111111111111111111111111111111","status":"queued"}`
	return &http.Response{
		StatusCode: 201, Status: "201 Created", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: req,
	}, nil
}

// TestRegionEdgeHost: with no APIBaseURL, Region and Edge choose Twilio's
// host, and only the Config's values count, not twilio-go's environment.
func TestRegionEdgeHost(t *testing.T) {
	// twilio-go would read these; the Config must win, even when empty.
	t.Setenv("TWILIO_REGION", "au1")
	t.Setenv("TWILIO_EDGE", "sydney")
	tests := []struct {
		region, edge string
		wantHost     string
	}{
		{"", "", "api.twilio.com"},
		{"us1", "", "api.us1.twilio.com"},
		{"us1", "ashburn", "api.ashburn.us1.twilio.com"},
		{"", "umatilla", "api.umatilla.us1.twilio.com"},
		{"ie1", "dublin", "api.dublin.ie1.twilio.com"},
		{"au1", "sydney", "api.sydney.au1.twilio.com"},
		{"jp1", "tokyo", "api.tokyo.jp1.twilio.com"},
	}
	for _, tt := range tests {
		t.Run(tt.region+"/"+tt.edge, func(t *testing.T) {
			rec := &recorder{}
			cfg := fromConfig("")
			cfg.Region, cfg.Edge = tt.region, tt.edge
			p := newProvider(t, cfg, twilio.WithHTTPClient(&http.Client{Transport: rec}))
			ctx := context.WithValue(context.Background(), ctxKey{}, "send-ctx")
			r, err := p.Send(ctx, message(time.Minute))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if r.MessageID != "SM11111111111111111111111111111111" {
				t.Errorf("receipt %+v", r)
			}
			if len(rec.reqs) != 1 {
				t.Fatalf("%d requests", len(rec.reqs))
			}
			req := rec.reqs[0]
			want := "https://" + tt.wantHost + "/2010-04-01/Accounts/" + testSID + "/Messages.json"
			if got := req.URL.String(); got != want {
				t.Errorf("URL %s, want %s", got, want)
			}
			if req.Host != tt.wantHost {
				t.Errorf("Host %q, want %q", req.Host, tt.wantHost)
			}
			if req.Context().Value(ctxKey{}) != "send-ctx" {
				t.Errorf("the request does not carry the send's context")
			}
		})
	}
}

// TestBaseURLRewrite: APIBaseURL replaces scheme and host, keeps the path.
func TestBaseURLRewrite(t *testing.T) {
	rec := &recorder{}
	p := newProvider(t, fromConfig("http://127.0.0.1:8089"), twilio.WithHTTPClient(&http.Client{Transport: rec}))
	if _, err := p.Send(context.Background(), message(time.Minute)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := "http://127.0.0.1:8089/2010-04-01/Accounts/" + testSID + "/Messages.json"
	if got := rec.reqs[0].URL.String(); got != want || rec.reqs[0].Host != "127.0.0.1:8089" {
		t.Errorf("URL %s Host %s, want %s", got, rec.reqs[0].Host, want)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cfg := fromConfig("")
	cfg.AccountSID = "nope"
	cfg.AuthToken = "s3cretToken"
	p, err := twilio.New(cfg)
	if p != nil || err == nil || !strings.Contains(err.Error(), "TWILIO_ACCOUNT_SID") {
		t.Fatalf("New = %v, %v", p, err)
	}
	if strings.Contains(err.Error(), "s3cretToken") {
		t.Errorf("error echoes the token: %v", err)
	}
}

func TestNoTokenInPrints(t *testing.T) {
	cfg := fromConfig("")
	cfg.StatusCallback = "https://user:hookpass@hooks.example.com/s"
	p := newProvider(t, cfg)
	for _, s := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(p), fmt.Sprintf("%v", p),
	} {
		if strings.Contains(s, testToken) || strings.Contains(s, "hookpass") {
			t.Errorf("printed a secret: %s", s)
		}
	}
}

func providerError(t *testing.T, err error) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *providers.Error", err, err)
	}
	return pe
}

// assertClean fails when err's text holds the number (with or without its
// +), the body or the code in it.
func assertClean(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		for _, secret := range []string{testTo, strings.TrimPrefix(testTo, "+"), testBody, testCode, "Your code"} {
			if strings.Contains(s, secret) {
				t.Errorf("error text holds %q: %s", secret, s)
			}
		}
	}
}

// Twilio answered "created" without a sid: the message was accepted, so it
// is a send (with no provider id), never a failure the chain would hand to
// the next provider.
func TestCreatedWithoutSidIsSent(t *testing.T) {
	f := newFake(t)
	f.reply = func(w http.ResponseWriter, _ *http.Request, _ url.Values) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, `{"status":"queued"}`)
	}
	p := newProvider(t, serviceConfig(f.URL()))
	got, err := p.Send(context.Background(), message(5*time.Minute))
	if err != nil || got != (providers.Receipt{Provider: "twilio"}) {
		t.Errorf("Send = %+v, %v; want a receipt without an id", got, err)
	}
}
