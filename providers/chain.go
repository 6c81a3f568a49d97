package providers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
)

// Chain is a Provider that fails over between providers: in a configured
// order, or in a per-country order for destinations that have a route, and
// skipping a provider whose circuit breaker is open.
//
// For each message it tries its providers in turn:
//   - success: done, with that provider's receipt;
//   - Permanent (the number cannot receive): stop, with that error: another
//     provider cannot reach the number either;
//   - Deferred (our own rate limit): stop, with that error: failing over
//     would move the load to the next provider, not shed it;
//   - Transient, ProviderSide or NotOnChannel: the next provider.
//
// A message with a Prefer channel tries the providers of that channel first,
// among those its order or route lists (channel.Prefer): a preference never
// adds a provider the route leaves out.
//
// When every provider it tried failed, the error is an *Error from "chain"
// of Kind Transient (the worker retries later), ProviderSide when every
// one of them refused us, or Permanent when every one of them said the
// number is not on its channel; it wraps each provider's error (errors.Join), so
// errors.As finds them. When the ctx ends, the chain stops at once and its
// error wraps the ctx's.
//
// When the breakers of every provider for the message are open, the chain
// does not fail outright: it tries the one provider whose cool-down ends
// first (its result counts like a half-open trial). An outage of every
// provider then costs one provider call per message, and a provider that
// comes back is found within one message, not one cool-down.
//
// Breakers belong to provider names: give every provider a distinct Name
// (the same provider may appear in the order and in routes). A Chain is safe
// for concurrent use.
type Chain struct {
	order    []Provider
	routes   map[string][]Provider
	breakers map[string]*Breaker // by provider name
	named    map[string]Provider // by name: what a Router's names mean
	router   Router              // optional: orders each message's providers
	budget   time.Duration       // of one Send, shared by its attempts (WithSendBudget)
	breaker  BreakerConfig
	now      func() time.Time
	// attemptTimeout bounds each provider's Send, so a hanging provider
	// hands over to the next one instead of using up the whole budget.
	attemptTimeout time.Duration
}

// SetAttemptTimeout bounds each provider's Send within a chain Send (0: only
// the caller's context bounds it). A provider that runs out of its own time
// counts as a transient failure for its breaker. Call it before use.
func (c *Chain) SetAttemptTimeout(d time.Duration) { c.attemptTimeout = max(0, d) }

var _ Provider = (*Chain)(nil)

// Attempt is what happened to one provider during one Send, for logs and
// per-provider metrics.
type Attempt struct {
	Provider string        // its Name
	Skipped  bool          // its breaker was open: not called (Kind, Code and Duration are zero)
	Kind     Kind          // 0 on success
	Code     string        // the provider's error code, if its error was an *Error
	Duration time.Duration // how long its Send took, on the chain's clock
}

// NewChain returns a Chain that tries order, or routes[m.Country] when the
// message's country has a route (the route replaces order for that country).
// Each provider gets a breaker configured by breaker; now is the clock for
// breakers and attempt durations (nil means time.Now).
//
// It refuses an empty order, a nil or nameless provider, a provider listed
// twice in one list, a route key that is not an upper-case ISO 3166 alpha-2
// code known to the numbering plan, an empty route, and a negative breaker
// setting.
func NewChain(order []Provider, routes map[string][]Provider, breaker BreakerConfig, now func() time.Time, opts ...ChainOption) (*Chain, error) {
	if len(order) == 0 {
		return nil, errors.New("provider chain: no providers")
	}
	if err := breaker.Validate(); err != nil {
		return nil, fmt.Errorf("provider chain: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	c := &Chain{order: slices.Clone(order), routes: make(map[string][]Provider, len(routes)), breakers: make(map[string]*Breaker), named: make(map[string]Provider), breaker: breaker, now: now}
	if err := c.addList("order", order); err != nil {
		return nil, err
	}
	for _, code := range slices.Sorted(maps.Keys(routes)) {
		list := routes[code]
		where := fmt.Sprintf("route %q", code)
		switch {
		case !country.Known(code):
			return nil, fmt.Errorf("provider chain: %s: not an upper-case ISO 3166 alpha-2 country code", where)
		case len(list) == 0:
			return nil, fmt.Errorf("provider chain: %s: no providers", where)
		}
		if err := c.addList(where, list); err != nil {
			return nil, err
		}
		c.routes[code] = slices.Clone(list)
	}
	for _, o := range opts {
		o(c)
	}
	if c.budget > 0 {
		c.SetAttemptTimeout(c.budget / time.Duration(c.longest()))
	}
	return c, nil
}

// longest is the most providers one Send can try.
func (c *Chain) longest() int {
	if c.router != nil {
		return len(c.named)
	}
	n := len(c.order)
	for _, r := range c.routes {
		n = max(n, len(r))
	}
	return n
}

// ChainOption sets up a Chain in NewChain.
type ChainOption func(*Chain)

// WithSendBudget shares d, the budget of one Send through the chain, among
// the providers: each gets d / the longest list (order or a route; with a
// Router, every provider the chain has, since its lists can name them all),
// so one that hangs hands over to the next instead of using it all, and the
// last still has its share.
func WithSendBudget(d time.Duration) ChainOption {
	return func(c *Chain) { c.budget = d }
}

// Router orders one message's providers by name, best first
// (routing.Router.Pick).
type Router interface {
	Pick(ctx context.Context, country string) []string
}

// WithRouter lets r order each message's providers instead of the
// configured order and routes; breakers and failover work as before on
// the list r gives. A name r gives that the chain was not built with is
// skipped; when r gives none the chain has, the configured list is used.
func WithRouter(r Router) ChainOption { return func(c *Chain) { c.router = r } }

// Order is the provider order for country, best first: the Router's when
// it has an Order method, else the configured one.
func (c *Chain) Order(country string) []string {
	if o, ok := c.router.(interface{ Order(string) []string }); ok {
		return o.Order(country)
	}
	list := c.configured(country)
	names := make([]string, len(list))
	for i, p := range list {
		names[i] = p.Name()
	}
	return names
}

// configured is the configured list for country: its route, or the order.
func (c *Chain) configured(country string) []Provider {
	if r, ok := c.routes[strings.ToUpper(country)]; ok {
		return r
	}
	return c.order
}

// list is the providers for one message to country: the router's pick,
// or the configured list, with those on channel prefer first (a user's
// wish never adds a provider the list does not have).
func (c *Chain) list(ctx context.Context, country, prefer string) []Provider {
	list := c.picked(ctx, country)
	if prefer == "" {
		return list
	}
	names := make([]string, len(list))
	byName := make(map[string]Provider, len(list))
	for i, p := range list {
		names[i], byName[p.Name()] = p.Name(), p
	}
	out := make([]Provider, len(list))
	for i, n := range channel.Prefer(names, prefer) {
		out[i] = byName[n]
	}
	return out
}

// picked is the router's order for one message, or the configured list.
func (c *Chain) picked(ctx context.Context, country string) []Provider {
	if c.router == nil {
		return c.configured(country)
	}
	var out []Provider
	seen := map[string]bool{}
	for _, name := range c.router.Pick(ctx, country) {
		if p := c.named[name]; p != nil && !seen[name] {
			out = append(out, p)
			seen[name] = true
		}
	}
	if len(out) == 0 {
		return c.configured(country)
	}
	return out
}

// addList checks one list and gives its providers breakers.
func (c *Chain) addList(where string, list []Provider) error {
	seen := make(map[string]bool, len(list))
	for i, p := range list {
		if p == nil {
			return fmt.Errorf("provider chain: %s: provider %d is nil", where, i+1)
		}
		name := p.Name()
		switch {
		case name == "":
			return fmt.Errorf("provider chain: %s: provider %d has no name", where, i+1)
		case seen[name]:
			return fmt.Errorf("provider chain: %s: provider %q is listed twice", where, name)
		}
		seen[name] = true
		if c.named[name] == nil {
			c.named[name] = p
		}
		if c.breakers[name] == nil {
			c.breakers[name] = NewBreaker(c.breaker, c.now)
		}
	}
	return nil
}

// Name is "chain".
func (c *Chain) Name() string { return "chain" }

// Send sends m through the chain; see Chain. Use SendTrace to learn which
// providers were tried.
func (c *Chain) Send(ctx context.Context, m Message) (Receipt, error) {
	r, _, err := c.SendTrace(ctx, m)
	return r, err
}

// SendTrace is Send, and also returns one Attempt per provider the chain
// called or skipped, in order, so the caller can log the path and count sends
// and failures per provider. The Attempt for the provider whose result is
// returned is the last one.
func (c *Chain) SendTrace(ctx context.Context, m Message) (Receipt, []Attempt, error) {
	return c.run(ctx, m, c.list(ctx, m.Country, m.Prefer))
}

// SendTraceVia is SendTrace through the named providers only, in the order
// given (names the chain lacks are left out; m.Prefer is not applied), with
// the same breakers, attempt timeouts and rules: for a resend, which must
// go through providers that have not carried the code, so that what it
// learns of a provider is learned once, by the breaker the chain uses.
// With no name the chain has, it fails with ErrNoProvider.
func (c *Chain) SendTraceVia(ctx context.Context, m Message, names []string) (Receipt, []Attempt, error) {
	var list []Provider
	seen := map[string]bool{}
	for _, n := range names {
		if p := c.named[n]; p != nil && !seen[n] {
			list, seen[n] = append(list, p), true
		}
	}
	if len(list) == 0 {
		return Receipt{}, nil, ErrNoProvider
	}
	return c.run(ctx, m, list)
}

// ErrNoProvider: SendTraceVia was given no provider the chain has.
var ErrNoProvider = errors.New("provider chain: none of the named providers")

// Has reports whether the chain has a provider of that name.
func (c *Chain) Has(provider string) bool { return c.named[provider] != nil }

// run is one pass through list; see Chain.
func (c *Chain) run(ctx context.Context, m Message, list []Provider) (Receipt, []Attempt, error) {
	s := &pass{c: c, ctx: ctx, m: m, providerSide: true, notOnChannel: true}
	for _, p := range list {
		if r, stop, err := s.next(p); stop {
			return r, s.attempts, err
		}
	}
	if !s.tried {
		if r, stop, err := s.forced(list); stop {
			return r, s.attempts, err
		}
	}
	return Receipt{}, s.attempts, c.failed(s.errs, s.kind(), ctx.Err())
}

// pass is one message's way through the chain: what each attempt adds to.
type pass struct {
	c            *Chain
	ctx          context.Context
	m            Message
	attempts     []Attempt
	errs         []error // of the providers that failed over
	tried        bool    // a provider was called
	providerSide bool    // every provider tried refused us
	notOnChannel bool    // every provider tried could not reach the number on its channel
}

// kind is the Kind of a pass in which every provider failed.
func (s *pass) kind() Kind {
	switch {
	case len(s.errs) > 0 && s.notOnChannel:
		return Permanent
	case len(s.errs) > 0 && s.providerSide:
		return ProviderSide
	}
	return Transient
}

// next tries p unless its breaker is open; stop says the pass is over,
// with r and err as its result.
func (s *pass) next(p Provider) (r Receipt, stop bool, err error) {
	if err := s.ctx.Err(); err != nil {
		return Receipt{}, true, s.c.failed(s.errs, s.kind(), err)
	}
	done, ok := s.c.breakers[p.Name()].Allow()
	if !ok {
		s.attempts = append(s.attempts, Attempt{Provider: p.Name(), Skipped: true})
		return Receipt{}, false, nil
	}
	return s.try(p, done)
}

// forced tries the provider of list whose breaker reopens first, when every
// breaker is open.
func (s *pass) forced(list []Provider) (r Receipt, stop bool, err error) {
	p := s.c.soonest(list)
	if err := s.ctx.Err(); err != nil {
		return Receipt{}, true, s.c.failed(s.errs, s.kind(), err)
	}
	return s.try(p, s.c.breakers[p.Name()].Force())
}

// try calls p, reports the result to its breaker through done and records
// the attempt. A success, a Permanent and a Deferred error stop the pass;
// any other error fails over to the next provider.
func (s *pass) try(p Provider, done func(error)) (r Receipt, stop bool, err error) {
	s.tried = true
	start := s.c.now()
	r, err = s.c.call(s.ctx, p, s.m)
	a := attemptOf(p, err, s.c.now().Sub(start))
	s.attempts = append(s.attempts, a)
	if err == nil {
		done(nil)
		return r, true, nil
	}
	if s.ctx.Err() != nil && a.Kind != Permanent {
		// Cut short by our own context: this says nothing about p.
		done(&Error{Provider: p.Name(), Kind: Deferred, Err: err})
	} else {
		done(err)
	}
	if a.Kind == Permanent || a.Kind == Deferred {
		return Receipt{}, true, err
	}
	s.errs = append(s.errs, err)
	s.providerSide = s.providerSide && a.Kind == ProviderSide
	s.notOnChannel = s.notOnChannel && a.Kind == NotOnChannel
	return Receipt{}, false, nil
}

// call is p's Send within the attempt timeout; a provider that runs out of
// its own time (not the caller's) fails as Transient. The receipt names p
// when p left it unnamed.
func (c *Chain) call(ctx context.Context, p Provider, m Message) (Receipt, error) {
	pctx, cancel := ctx, context.CancelFunc(func() {})
	if c.attemptTimeout > 0 {
		pctx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
	}
	defer cancel()
	r, err := p.Send(pctx, m)
	if err != nil {
		if ctx.Err() == nil && pctx.Err() != nil {
			err = &Error{Provider: p.Name(), Kind: Transient, Code: "attempt-timeout", Err: err}
		}
		return Receipt{}, err
	}
	if r.Provider == "" {
		r.Provider = p.Name()
	}
	return r, nil
}

// attemptOf is the trace of p's send that ended with err after d.
func attemptOf(p Provider, err error, d time.Duration) Attempt {
	a := Attempt{Provider: p.Name(), Duration: d}
	if err == nil {
		return a
	}
	a.Kind = Classify(err)
	var pe *Error
	if errors.As(err, &pe) {
		a.Code = pe.Code
	}
	return a
}

// failed is the chain's error after errs (and ctxErr, when the ctx ended):
// of Kind kind, or Transient when the ctx ended.
func (c *Chain) failed(errs []error, kind Kind, ctxErr error) error {
	if ctxErr != nil {
		kind = Transient
	}
	if ctxErr != nil && !slices.ContainsFunc(errs, func(e error) bool { return errors.Is(e, ctxErr) }) {
		errs = append(errs, ctxErr)
	}
	return &Error{Provider: c.Name(), Kind: kind, Err: errors.Join(errs...)}
}

// soonest is the provider in list whose breaker's cool-down ends first (the
// first in list on a tie; a half-open breaker has ended its cool-down).
func (c *Chain) soonest(list []Provider) Provider {
	best, bestAt := list[0], c.breakers[list[0].Name()].OpenUntil()
	for _, p := range list[1:] {
		if at := c.breakers[p.Name()].OpenUntil(); at.Before(bestAt) {
			best, bestAt = p, at
		}
	}
	return best
}

// BreakerState is the state of the named provider's breaker; ok is false for
// a name the chain does not have.
func (c *Chain) BreakerState(provider string) (state BreakerState, ok bool) {
	b, ok := c.breakers[provider]
	if !ok {
		return 0, false
	}
	return b.State(), true
}

// Single is one provider on its own, traced as a Chain traces its
// providers (one Attempt): for a local stack or a test that needs neither
// failover nor a breaker.
type Single struct{ Provider }

// SendTrace sends m through the provider; see Chain.SendTrace.
func (s Single) SendTrace(ctx context.Context, m Message) (Receipt, []Attempt, error) {
	start := time.Now()
	r, err := s.Send(ctx, m)
	if err == nil && r.Provider == "" {
		r.Provider = s.Name()
	}
	return r, []Attempt{attemptOf(s.Provider, err, time.Since(start))}, err
}
