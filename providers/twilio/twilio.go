package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// Name is the provider's name in SMS_PROVIDERS, receipts and errors.
const Name = "twilio"

// DefaultTimeout bounds one Send unless WithHTTPClient says otherwise; it
// is twilio-go's own default.
const DefaultTimeout = 10 * time.Second

// MaxValidityPeriod is the longest ValidityPeriod Twilio accepts (10 hours;
// the range is 1 to 36000 seconds).
const MaxValidityPeriod = 36000 * time.Second

// CodeExpired is the Error.Code of a message not sent because its code had
// expired (or had less than a second left).
const CodeExpired = "expired"

// Provider sends SMS through one Twilio account. It is safe for concurrent use.
type Provider struct {
	cfg       Config
	base      *url.URL // from APIBaseURL; nil for Twilio's own (regional) host
	transport http.RoundTripper
	timeout   time.Duration
	now       func() time.Time
}

var _ providers.Provider = (*Provider)(nil)

// Option adjusts a Provider for tests or deployment.
type Option func(*Provider)

// WithHTTPClient sends through c.Transport (http.DefaultTransport when nil)
// and bounds each Send by c.Timeout (no bound of its own when 0; the
// caller's context still applies). c's CheckRedirect and Jar are not used:
// redirects are never followed, so the credentials never leave the host.
func WithHTTPClient(c *http.Client) Option {
	return func(p *Provider) {
		if c == nil {
			return
		}
		p.transport = c.Transport
		if p.transport == nil {
			p.transport = http.DefaultTransport
		}
		p.timeout = c.Timeout
	}
}

// WithClock sets the clock that expiry and ValidityPeriod are measured
// against (time.Now by default).
func WithClock(now func() time.Time) Option {
	return func(p *Provider) {
		if now != nil {
			p.now = now
		}
	}
}

// New checks cfg and returns a Provider; nothing is sent until Send.
func New(cfg Config, opts ...Option) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("twilio config: %w", err)
	}
	return newAccount(cfg, opts)
}

// newAccount is a Provider for cfg's account (credentials, host, status
// callback), whose sender its caller has checked.
func newAccount(cfg Config, opts []Option) (*Provider, error) {
	p := &Provider{cfg: cfg, transport: http.DefaultTransport, timeout: DefaultTimeout, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	if cfg.APIBaseURL != "" {
		u, err := url.Parse(cfg.APIBaseURL)
		if err != nil { // Validate has parsed it already
			return nil, fmt.Errorf("twilio config: %s: %w", EnvAPIBaseURL, err)
		}
		p.base = u
	}
	return p, nil
}

// Name returns "twilio".
func (p *Provider) Name() string { return Name }

// String names the provider and account, never the token.
func (p *Provider) String() string { return Name + "(" + p.cfg.AccountSID + ")" }

// Send creates one outbound Message: To, Body, and From or
// MessagingServiceSid; StatusCallback when configured; with a Messaging
// Service, ValidityPeriod = the whole seconds until m.ExpiresAt (at most
// MaxValidityPeriod), so Twilio drops the message rather than deliver a dead
// code after a long queue. A message with less than a second left is not
// sent: Permanent, Code CodeExpired. A zero ExpiresAt means no known expiry.
//
// Errors are *providers.Error; Twilio's answer, when there was one, is an
// *APIError inside it. When the outcome is unknown (the context ended after
// the request left, or the answer was unreadable) the error is Transient or
// ProviderSide, so the message is sent again: a duplicate SMS costs less
// than a lost sign-in code.
func (p *Provider) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	params := &api.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetBody(m.Body)
	if p.cfg.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(p.cfg.MessagingServiceSID)
	} else {
		params.SetFrom(p.cfg.From)
	}
	if p.cfg.StatusCallback != "" {
		params.SetStatusCallback(p.cfg.StatusCallback)
	}
	return p.create(ctx, params, m.ExpiresAt, p.cfg.MessagingServiceSID != "", sms)
}

// kinds is how one sender classifies Twilio's answers: its name in
// receipts and errors, and its table of codes.
type kinds struct {
	name  string
	codes map[int]code
}

var sms = kinds{Name, codes}

// create sends params (all but ValidityPeriod set) for a code that dies at
// expires (zero: no known expiry): not at all with less than a second left,
// and with ValidityPeriod when withValidity (only a Messaging Service takes
// it). Errors are classified by k.
func (p *Provider) create(ctx context.Context, params *api.CreateMessageParams, expires time.Time, withValidity bool, k kinds) (providers.Receipt, error) {
	if !expires.IsZero() {
		left := expires.Sub(p.now())
		if left < time.Second {
			return providers.Receipt{}, k.fail(providers.Permanent, CodeExpired, errExpired)
		}
		if withValidity {
			params.SetValidityPeriod(int(min(left, MaxValidityPeriod) / time.Second))
		}
	}
	if err := ctx.Err(); err != nil {
		return providers.Receipt{}, k.fail(providers.Transient, "", fmt.Errorf("not sent: %w", err))
	}
	if p.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}

	var x exchange
	msg, err := p.messages(ctx, &x).CreateMessage(params)
	if err != nil {
		return providers.Receipt{}, k.classify(ctx, err, &x)
	}
	if msg.Sid == nil || *msg.Sid == "" {
		// Twilio said it created the message but named no sid: count it as
		// sent. An error here would make the chain send it again through
		// the next provider: a second message for one code.
		return providers.Receipt{Provider: k.name}, nil
	}
	return providers.Receipt{Provider: k.name, MessageID: *msg.Sid}, nil
}

var errExpired = errors.New("the code expired before sending; not sent")

// messages builds twilio-go's Messages API for one send. twilio-go builds
// every request with context.Background() and fixes its base URL at
// https://api.twilio.com, so the send's context and APIBaseURL reach the
// request through a per-send transport; the connection pool is
// p.transport's, shared by all sends.
//
// It is what twilio.NewRestClientWithParams(twilio.ClientParams{Client: c})
// with SetRegion and SetEdge does for the RestClient's Api field, without
// building the other sixty product APIs on every send (3 allocations
// instead of 62).
func (p *Provider) messages(ctx context.Context, x *exchange) *api.ApiService {
	c := &client.Client{
		Credentials: client.NewCredentials(p.cfg.AccountSID, p.cfg.AuthToken),
		HTTPClient: &http.Client{
			Transport:     &sendTransport{ctx: ctx, base: p.base, next: p.transport, x: x},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(p.cfg.AccountSID)
	h := client.NewRequestHandler(c)
	// NewRequestHandler reads TWILIO_REGION and TWILIO_EDGE from the
	// environment; the Config is the only source here.
	h.Region, h.Edge = p.cfg.Region, p.cfg.Edge
	return api.NewApiService(h)
}

// exchange is what one send's transport saw of Twilio's answer.
type exchange struct {
	status     int           // HTTP status; 0 when no answer came
	retryAfter time.Duration // from a Retry-After header in seconds
}

// sendTransport gives the request twilio-go built the send's context, points
// it at the base URL when one is set, and notes the answer's status (which
// twilio-go drops when an error body is not Twilio's JSON).
type sendTransport struct {
	ctx  context.Context
	base *url.URL
	next http.RoundTripper
	x    *exchange
}

func (t *sendTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.WithContext(t.ctx) // a copy: a RoundTripper must not change req
	if t.base != nil {
		u := *req.URL
		u.Scheme, u.Host = t.base.Scheme, t.base.Host
		r.URL, r.Host = &u, u.Host
	}
	resp, err := t.next.RoundTrip(r)
	if resp != nil {
		t.x.status = resp.StatusCode
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			t.x.retryAfter = time.Duration(s) * time.Second
		}
	}
	return resp, err
}

// classify turns CreateMessage's error into a *providers.Error that holds
// neither the number nor the body.
func (k kinds) classify(ctx context.Context, err error, x *exchange) error {
	var rest *client.TwilioRestError
	if errors.As(err, &rest) {
		status := x.status
		if status == 0 { // twilio-go's own checks, before any request
			status = rest.Status
		}
		e := &providers.Error{
			Provider: k.name,
			Kind:     kindOf(k.codes, rest.Code, status),
			Err:      &APIError{Status: status, Code: rest.Code, what: k.codes[rest.Code].what}, // not rest: its text quotes the number
		}
		if rest.Code != 0 {
			e.Code = strconv.Itoa(rest.Code)
		}
		if e.Kind == providers.Transient {
			e.RetryAfter = x.retryAfter
		}
		return e
	}
	if cerr := ctx.Err(); cerr != nil {
		return k.fail(providers.Transient, "", fmt.Errorf("send: %w", cerr))
	}
	if x.status != 0 {
		// An answer twilio-go could not read: an error page that is not
		// Twilio's JSON, or a 2xx/3xx body without a Message in it.
		e := k.fail(kindOfStatus(x.status), "", fmt.Errorf("HTTP %d answer that is not Twilio's JSON", x.status))
		if e.Kind == providers.Transient {
			e.RetryAfter = x.retryAfter
		}
		return e
	}
	// No answer: connection refused, DNS, TLS, timeout. *url.Error's text
	// holds the URL; keep only its cause.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return k.fail(providers.Transient, "", fmt.Errorf("send: %w", err))
}

func (k kinds) fail(kind providers.Kind, code string, err error) *providers.Error {
	return &providers.Error{Provider: k.name, Code: code, Kind: kind, Err: err}
}
