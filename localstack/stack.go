package localstack

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/idp"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// Stack is a running local user pool with its triggers and SMS worker.
type Stack struct {
	opts     Options
	cfg      settings
	ln       net.Listener
	srv      *http.Server
	worker   *worker.Worker
	backends *backends
	secret   string
	url      string
}

// New builds the stack and takes its port; Run serves it.
func New(ctx context.Context, o Options) (*Stack, error) {
	if err := o.withDefaults(); err != nil {
		return nil, err
	}
	cfg, err := settingsFromEnv(o.Getenv)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	b, err := newBackends(ctx, o, cfg)
	if err != nil {
		return nil, err
	}
	ks, secretNote, err := keys(cfg)
	if err != nil {
		return nil, err
	}
	tcp, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %s: %w", o.Addr, err)
	}
	limits := o.Limits.withDefaults()
	ln := limitConns(tcp, limits.MaxConns)
	s := &Stack{opts: o, cfg: cfg, ln: ln, backends: b, secret: secretNote, url: publicURL(o.PublicURL, ln.Addr())}
	handler, err := s.wire(ks)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.srv = limits.server(handler)
	return s, nil
}

// wire builds the triggers, the worker and the pool endpoint.
func (s *Stack) wire(ks triggerKeys) (http.Handler, error) {
	o, tc := s.opts, s.cfg.Triggers
	env := triggers.Env{Log: o.Log, Now: o.Now}
	define, err := triggers.NewDefine(tc.Policy.MaxAttempts, env)
	if err != nil {
		return nil, err
	}
	create, err := triggers.NewCreate(tc, s.backends.store, s.backends.queue, ks, env)
	if err != nil {
		return nil, err
	}
	verify, err := triggers.NewVerify(tc, s.backends.store, ks, env)
	if err != nil {
		return nil, err
	}
	users := idp.NewUsers(o.Now)
	postAuth, err := triggers.NewPostAuthentication(users, s.backends.store, tc.Deadline, env)
	if err != nil {
		return nil, err
	}
	issuer, err := newIssuer(s.url+"/"+o.PoolID, o.ClientID, *o.Pool, o.Now)
	if err != nil {
		return nil, err
	}
	ps := o.Pool
	pool, err := idp.New(idp.Config{
		PoolID: o.PoolID, ClientID: o.ClientID, RevealUserExistence: ps.PreventUserExistenceErrors != "ENABLED",
		MinPasswordLength: ps.MinPasswordLength, SessionValidity: ps.AuthSessionValidity,
		AuthFlows: ps.ExplicitAuthFlows, ReadAttributes: ps.ReadAttributes, WriteAttributes: ps.WriteAttributes,
		Users: users, Tokens: issuer, Log: o.Log, Now: o.Now,
		Triggers: idp.Triggers{
			PreSignUp: triggers.NewPreSignUp(tc.Phone, env).Handle,
			Define:    define.Handle, Create: create.Handle, Verify: verify.Handle,
			PostAuthentication: postAuth.Handle,
		},
	})
	if err != nil {
		return nil, err
	}
	if s.worker, err = newWorker(s.backends.store, ks, o, tc.Channels); err != nil {
		return nil, err
	}
	return pool, nil
}

// publicURL is the endpoint clients use and tokens name as iss: the
// configured one, else the listener's address, with loopback standing in
// for a wildcard address (0.0.0.0, ::), which no client can dial.
func publicURL(configured string, addr net.Addr) string {
	if configured != "" {
		return strings.TrimSuffix(configured, "/")
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

type triggerKeys interface {
	triggers.Keys
	worker.Keys
}

func newIssuer(issuer, clientID string, ps PoolSettings, now func() time.Time) (*tokens.Issuer, error) {
	// A new key per run: tokens die with the process, like everything else.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return tokens.NewIssuer(issuer, clientID, key, now, nil,
		tokens.WithTokenValidity(ps.AccessTokenValidity), tokens.WithIDTokenValidity(ps.IDTokenValidity),
		tokens.WithRefreshTokenValidity(ps.RefreshTokenValidity))
}

func newWorker(claims worker.Claims, ks worker.Keys, o Options, plan channel.Plan) (*worker.Worker, error) {
	text, err := smstext.New(nil, "", "")
	if err != nil {
		return nil, err
	}
	send, err := consoleSender(o, plan)
	if err != nil {
		return nil, err
	}
	return worker.New(worker.DefaultConfig(), claims, ks, text, send, worker.Prices{}, worker.Env{Log: o.Log, Now: o.Now})
}

// consoleSender prints every SMS on the console: one console provider, or,
// with SMS_PROVIDERS (and SMS_ROUTES) set, a chain of console stand-ins
// named after the configured providers, so each line says which channel
// and provider a deployment would use for that number and user.
func consoleSender(o Options, plan channel.Plan) (worker.Sender, error) {
	if len(plan.Default) == 0 {
		sms, err := console.New(o.SMS, o.Outbox, console.WithClock(o.Now))
		return providers.Single{Provider: sms}, err
	}
	built := map[string]providers.Provider{}
	list := func(names []string) ([]providers.Provider, error) {
		out := make([]providers.Provider, 0, len(names))
		for _, n := range names {
			if built[n] == nil {
				p, err := console.New(o.SMS, o.Outbox, console.WithClock(o.Now), console.As(n))
				if err != nil {
					return nil, err
				}
				built[n] = p
			}
			out = append(out, built[n])
		}
		return out, nil
	}
	order, err := list(plan.Default)
	if err != nil {
		return nil, err
	}
	routes := map[string][]providers.Provider{}
	for country, names := range plan.Routes {
		if routes[country], err = list(names); err != nil {
			return nil, err
		}
	}
	return providers.NewChain(order, routes, providers.BreakerConfig{}, o.Now)
}

// Close releases the port of a stack that is not going to Run.
func (s *Stack) Close() error { return s.ln.Close() }

// URL is the pool's endpoint, e.g. http://127.0.0.1:9229.
func (s *Stack) URL() string { return s.url }

// Issuer is the iss of the pool's tokens: the endpoint and the pool id.
func (s *Stack) Issuer() string { return s.url + "/" + s.opts.PoolID }

// PoolID and ClientID are the pool's and its app client's ids.
func (s *Stack) PoolID() string   { return s.opts.PoolID }
func (s *Stack) ClientID() string { return s.opts.ClientID }

// Summary describes the running stack in a few lines, for the start banner.
func (s *Stack) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "endpoint   %s\n", s.url)
	fmt.Fprintf(&b, "pool id    %s  (region %s)\n", s.opts.PoolID, s.opts.Region())
	fmt.Fprintf(&b, "client id  %s\n", s.opts.ClientID)
	fmt.Fprintf(&b, "settings   %s\n", s.settingsLine())
	fmt.Fprintf(&b, "jwks       %s/.well-known/jwks.json\n", s.Issuer())
	fmt.Fprintf(&b, "backends   %s\n", s.backends.summary)
	fmt.Fprintf(&b, "secret     %s\n", s.secret)
	if s.opts.Outbox != "" {
		fmt.Fprintf(&b, "outbox     %s  (each SMS as a JSON line)\n", s.opts.Outbox)
	}
	return b.String()
}

// settingsLine sums up the pool settings a client can run into.
func (s *Stack) settingsLine() string {
	ps, src := s.opts.Pool, s.opts.PoolSource
	if src == "" {
		src = "template.yaml's defaults (embedded)"
	}
	writes := "Cognito's default attributes"
	if ps.WriteAttributes != nil {
		writes = strings.Join(ps.WriteAttributes, ",")
		if writes == "" {
			writes = "none"
		}
	}
	return fmt.Sprintf("%s: flows %s; clients write %s; session %s; access/ID/refresh tokens %s/%s/%s",
		src, strings.Join(ps.ExplicitAuthFlows, ","), writes, short(ps.AuthSessionValidity),
		short(ps.AccessTokenValidity), short(ps.IDTokenValidity), short(ps.RefreshTokenValidity))
}

// short writes a validity as its template would: whole days, hours or
// minutes where it is one.
func short(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// RevealsUsers reports whether PreventUserExistenceErrors is off (LEGACY).
func (s *Stack) RevealsUsers() bool { return s.opts.Pool.PreventUserExistenceErrors != "ENABLED" }

// TestNumbersWarning is the loud start-up warning when test numbers are
// on, or "".
func (s *Stack) TestNumbersWarning() string { return s.cfg.Triggers.TestNumbersWarning() }

// shutdownBudget lets a request whose trigger is on its third 5 s attempt
// finish.
const shutdownBudget = 16 * time.Second

// Run serves the pool and runs the SMS worker until ctx ends, then shuts
// down gracefully: requests in flight finish (up to shutdownBudget), and
// messages already received are delivered.
func (s *Stack) Run(ctx context.Context) error {
	pollCtx, stopPoll := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.backends.poll(pollCtx, s.worker, s.opts.Log); err != nil {
			s.opts.Log.Error("sms worker stopped", "err", err)
		}
	})
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.srv.Serve(s.ln) }()
	var err error
	select {
	case err = <-serveErr:
	case <-ctx.Done():
		// Up to three 5 s trigger attempts may be running.
		shutCtx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
		if err = s.srv.Shutdown(shutCtx); errors.Is(err, context.DeadlineExceeded) {
			s.opts.Log.Warn("requests still running after the shutdown budget; closing them", "budget", shutdownBudget)
			err = s.srv.Close()
		}
		cancel()
	}
	// Requests are done, so nothing enqueues any more; stop the worker.
	stopPoll()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
