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
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
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
	carrier  *carrier      // simulated delivery; nil without --simulate-delivery
	sender   *customSender // nil unless ConfirmSignUpBySMS
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
	o.Wrap.apply(b)
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
	if o.ConfirmSignUpBySMS {
		if s.sender, err = newCustomSender(ctx, o, cfg, b, ks); err != nil {
			ln.Close()
			return nil, err
		}
	}
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
	cfg := idp.Config{
		PoolID: o.PoolID, ClientID: o.ClientID, RevealUserExistence: ps.PreventUserExistenceErrors != "ENABLED",
		MinPasswordLength: ps.MinPasswordLength, SessionValidity: ps.AuthSessionValidity,
		AuthFlows: ps.ExplicitAuthFlows, ReadAttributes: ps.ReadAttributes, WriteAttributes: ps.WriteAttributes,
		Users: users, Tokens: issuer, Log: o.Log, Now: o.Now,
		Triggers: idp.Triggers{
			PreSignUp: presignup.New(s.cfg.PreSignUp, env).Handle,
			Define:    define.Handle, Create: create.Handle, Verify: verify.Handle,
			PostAuthentication: postAuth.Handle,
		},
	}
	if s.sender != nil {
		// No PreSignUp: the project's confirms every sign-up, and a pool
		// whose users confirm by code must not.
		cfg.Triggers.PreSignUp = nil
		cfg.Triggers.CustomSMSSender = s.sender.trigger
		cfg.AutoVerifyPhone, cfg.Codes = true, s.sender.codes
	}
	pool, err := idp.New(cfg)
	if err != nil {
		return nil, err
	}
	rh, err := s.receipts()
	if err != nil {
		return nil, err
	}
	if s.worker, err = s.newWorker(ks, rh, tc.Channels); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(TwilioReceiptsPath, twilioReceipts(rh))
	mux.Handle("/", s.backends.serve(pool))
	return mux, nil
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

// newWorker is the SMS worker: with one console provider, or with the
// simulated ones in a failover chain, their sends recorded for their
// receipts, ordered by the router as deployed, and resent by that order
// when not delivered. Without
// simulated ones, SMS_PROVIDERS and SMS_ROUTES name console stand-ins.
func (s *Stack) newWorker(ks worker.Keys, rh *receipts.Handler, plan channel.Plan) (*worker.Worker, error) {
	o := s.opts
	text, err := smstext.New(nil, "", "")
	if err != nil {
		return nil, err
	}
	env := worker.Env{Log: o.Log, Now: o.Now}
	if len(o.Simulate) == 0 {
		send, err := consoleSender(o, plan)
		if err != nil {
			return nil, err
		}
		return worker.New(worker.DefaultConfig(), s.backends.store, ks, text, send, worker.Prices{}, env)
	}
	if len(plan.Default) > 0 || len(plan.Routes) > 0 {
		// Create would name a channel from SMS_PROVIDERS the simulated
		// providers do not send on.
		return nil, errors.New("--simulate-delivery replaces the providers: unset SMS_PROVIDERS and SMS_ROUTES, or drop the flag")
	}
	sms, err := console.New(o.SMS, o.Outbox, console.WithClock(o.Now))
	if err != nil {
		return nil, err
	}
	s.carrier = newCarrier(o.Wrap.delivered(sms), rh, o.Log, o.Now)
	var list []providers.Provider
	var names []string
	for _, sp := range o.Simulate {
		list, names = append(list, o.Wrap.provider(simProvider{spec: sp, c: s.carrier})), append(names, sp.Name)
	}
	// The deployed worker's router: the flag's order until the receipts
	// measure the providers, then best first (docs/routing.md).
	router, err := routing.New(routing.DefaultConfig(), routing.Fixed(routing.Plan{Providers: names}), s.backends.ledger, routing.Env{Now: o.Now, Log: o.Log})
	if err != nil {
		return nil, err
	}
	chain, err := providers.NewChain(list, nil, providers.BreakerConfig{}, o.Now, providers.WithRouter(router))
	if err != nil {
		return nil, fmt.Errorf("--simulate-delivery: %w", err)
	}
	env.Sent = s.backends.ledger
	if s.cfg.Resend.MaxSends > 1 {
		env.Resend, err = worker.NewResend(s.cfg.Resend, router, chain, s.backends.store, s.backends.ledger)
		if err != nil {
			return nil, err
		}
	}
	return worker.New(worker.DefaultConfig(), s.backends.store, ks, text, chain, worker.Prices{}, env)
}

// consoleSender prints every SMS on the console: one console provider, or,
// with SMS_PROVIDERS (and SMS_ROUTES) set, a chain of console stand-ins
// named after the configured providers, so each line says which channel
// and provider a deployment would use for that number and user.
func consoleSender(o Options, plan channel.Plan) (worker.Sender, error) {
	if len(plan.Default) == 0 {
		sms, err := console.New(o.SMS, o.Outbox, console.WithClock(o.Now))
		return providers.Single{Provider: o.Wrap.provider(sms)}, err
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
				built[n] = o.Wrap.provider(p)
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
	fmt.Fprintf(&b, "sign-up    %s\n", s.signUpLine())
	fmt.Fprintf(&b, "jwks       %s/.well-known/jwks.json\n", s.Issuer())
	fmt.Fprintf(&b, "backends   %s\n", s.backends.summary)
	fmt.Fprintf(&b, "secret     %s\n", s.secret)
	if s.opts.Outbox != "" {
		fmt.Fprintf(&b, "outbox     %s  (each SMS as a JSON line)\n", s.opts.Outbox)
	}
	if line := s.simulationLine(); line != "" {
		fmt.Fprintf(&b, "delivery   %s\n", line)
	}
	twilio := "off (set " + EnvTwilioAuthToken + " to check Twilio's signatures)"
	if s.cfg.TwilioAuthToken != "" {
		twilio = "signed for " + s.url + TwilioReceiptsPath
	}
	fmt.Fprintf(&b, "receipts   POST %s: %s\n", TwilioReceiptsPath, twilio)
	return b.String()
}

// simulationLine sums up --simulate-delivery and the resend bounds, or "".
func (s *Stack) simulationLine() string {
	if len(s.opts.Simulate) == 0 {
		return ""
	}
	var parts []string
	for _, p := range s.opts.Simulate {
		parts = append(parts, fmt.Sprintf("%s %g%% after %s", p.Name, p.Share*100, p.Delay))
	}
	r := s.cfg.Resend
	resend := "resends off (SMS_MAX_SENDS_PER_CODE=1)"
	if r.MaxSends > 1 {
		resend = fmt.Sprintf("resend after %s without delivery, at most %d SMS per code", r.Timeout, r.MaxSends)
	}
	return "simulated: " + strings.Join(parts, ", ") + "; " + resend
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

// signUpLine says how a sign-up is confirmed.
func (s *Stack) signUpLine() string {
	if s.sender == nil {
		return "auto-confirmed by PreSignUp, as template.yaml deploys (--confirm-sign-up-by-sms for codes)"
	}
	return "confirmed by SMS code: AutoVerifiedAttributes phone_number, no PreSignUp, Custom SMS Sender; " + s.sender.summary
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
	if s.carrier != nil {
		s.carrier.stop()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
