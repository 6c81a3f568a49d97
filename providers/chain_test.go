package providers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
)

func msg(country string) Message {
	return Message{ID: "m1", To: "+919800000001", Country: country, Body: "code 123456"}
}

func mustChain(t *testing.T, order []Provider, routes map[string][]Provider, cfg BreakerConfig, now func() time.Time) *Chain {
	t.Helper()
	c, err := NewChain(order, routes, cfg, now)
	if err != nil {
		t.Fatalf("NewChain: %v", err)
	}
	return c
}

// calls maps each fake's name to its call count.
func calls(fs ...*fakeProvider) map[string]int {
	m := make(map[string]int, len(fs))
	for _, f := range fs {
		m[f.name] = f.Calls()
	}
	return m
}

func TestChainSend(t *testing.T) {
	var (
		aTransient = perr("a", Transient, "503")
		aSide      = perr("a", ProviderSide, "20003")
		aPermanent = perr("a", Permanent, "21211")
		aDeferred  = &Error{Provider: "a", Kind: Deferred, Code: "rate-limit", RetryAfter: 2 * time.Second}
		bTransient = perr("b", Transient, "Throttling")
		bSide      = perr("b", ProviderSide, "OptedOut")
		cSide      = perr("c", ProviderSide, "AuthorizationError")
		plain      = errors.New("connection reset")
	)
	type script map[string][]error
	tests := []struct {
		name       string
		script     script
		routes     map[string][]string // country -> provider names; order is a, b, c
		country    string
		want       Receipt
		wantErr    error // errors.Is target; nil for success
		wantKind   Kind
		wantCalls  map[string]int
		wantTrace  []Attempt
		wantJoined []error // each must be found in the chain's error
	}{
		{
			name:      "first in order succeeds",
			country:   "US",
			want:      Receipt{Provider: "a", MessageID: "a-m1"},
			wantCalls: map[string]int{"a": 1, "b": 0, "c": 0},
			wantTrace: []Attempt{{Provider: "a"}},
		},
		{
			name:      "transient fails over",
			script:    script{"a": {aTransient}},
			country:   "US",
			want:      Receipt{Provider: "b", MessageID: "b-m1"},
			wantCalls: map[string]int{"a": 1, "b": 1, "c": 0},
			wantTrace: []Attempt{{Provider: "a", Kind: Transient, Code: "503"}, {Provider: "b"}},
		},
		{
			name:      "provider-side fails over",
			script:    script{"a": {aSide}},
			country:   "US",
			want:      Receipt{Provider: "b", MessageID: "b-m1"},
			wantCalls: map[string]int{"a": 1, "b": 1, "c": 0},
			wantTrace: []Attempt{{Provider: "a", Kind: ProviderSide, Code: "20003"}, {Provider: "b"}},
		},
		{
			name:      "unclassified error fails over as transient",
			script:    script{"a": {plain}, "b": {bTransient}},
			country:   "US",
			want:      Receipt{Provider: "c", MessageID: "c-m1"},
			wantCalls: map[string]int{"a": 1, "b": 1, "c": 1},
			wantTrace: []Attempt{{Provider: "a", Kind: Transient}, {Provider: "b", Kind: Transient, Code: "Throttling"}, {Provider: "c"}},
		},
		{
			name:      "permanent stops the chain",
			script:    script{"a": {aPermanent}},
			country:   "US",
			wantErr:   aPermanent,
			wantKind:  Permanent,
			wantCalls: map[string]int{"a": 1, "b": 0, "c": 0},
			wantTrace: []Attempt{{Provider: "a", Kind: Permanent, Code: "21211"}},
		},
		{
			name:      "permanent after a transient still stops",
			script:    script{"a": {aTransient}, "b": {perr("b", Permanent, "OptedOut")}},
			country:   "US",
			wantKind:  Permanent,
			wantCalls: map[string]int{"a": 1, "b": 1, "c": 0},
			wantTrace: []Attempt{{Provider: "a", Kind: Transient, Code: "503"}, {Provider: "b", Kind: Permanent, Code: "OptedOut"}},
		},
		{
			name:      "deferred is not failed over",
			script:    script{"a": {aDeferred}},
			country:   "US",
			wantErr:   aDeferred,
			wantKind:  Deferred,
			wantCalls: map[string]int{"a": 1, "b": 0, "c": 0},
			wantTrace: []Attempt{{Provider: "a", Kind: Deferred, Code: "rate-limit"}},
		},
		{
			name:      "route replaces the order",
			routes:    map[string][]string{"IN": {"c"}},
			country:   "IN",
			want:      Receipt{Provider: "c", MessageID: "c-m1"},
			wantCalls: map[string]int{"a": 0, "b": 0, "c": 1},
			wantTrace: []Attempt{{Provider: "c"}},
		},
		{
			name:      "route matches a lower-case country",
			routes:    map[string][]string{"IN": {"c"}},
			country:   "in",
			want:      Receipt{Provider: "c", MessageID: "c-m1"},
			wantCalls: map[string]int{"a": 0, "b": 0, "c": 1},
			wantTrace: []Attempt{{Provider: "c"}},
		},
		{
			name:      "country without a route uses the order",
			routes:    map[string][]string{"IN": {"c"}},
			country:   "US",
			want:      Receipt{Provider: "a", MessageID: "a-m1"},
			wantCalls: map[string]int{"a": 1, "b": 0, "c": 0},
			wantTrace: []Attempt{{Provider: "a"}},
		},
		{
			name:      "no country uses the order",
			routes:    map[string][]string{"IN": {"c"}},
			want:      Receipt{Provider: "a", MessageID: "a-m1"},
			wantCalls: map[string]int{"a": 1, "b": 0, "c": 0},
			wantTrace: []Attempt{{Provider: "a"}},
		},
		{
			name:      "a route's providers fail over among themselves only",
			script:    script{"c": {cSide}},
			routes:    map[string][]string{"IN": {"c", "b"}},
			country:   "IN",
			want:      Receipt{Provider: "b", MessageID: "b-m1"},
			wantCalls: map[string]int{"a": 0, "b": 1, "c": 1},
			wantTrace: []Attempt{{Provider: "c", Kind: ProviderSide, Code: "AuthorizationError"}, {Provider: "b"}},
		},
		{
			name:       "all failed, mixed: transient",
			script:     script{"a": {aSide}, "b": {bTransient}, "c": {cSide}},
			country:    "US",
			wantKind:   Transient,
			wantCalls:  map[string]int{"a": 1, "b": 1, "c": 1},
			wantTrace:  []Attempt{{Provider: "a", Kind: ProviderSide, Code: "20003"}, {Provider: "b", Kind: Transient, Code: "Throttling"}, {Provider: "c", Kind: ProviderSide, Code: "AuthorizationError"}},
			wantJoined: []error{aSide, bTransient, cSide},
		},
		{
			name:       "all failed provider-side: provider-side",
			script:     script{"a": {aSide}, "b": {bSide}, "c": {cSide}},
			country:    "US",
			wantKind:   ProviderSide,
			wantCalls:  map[string]int{"a": 1, "b": 1, "c": 1},
			wantTrace:  []Attempt{{Provider: "a", Kind: ProviderSide, Code: "20003"}, {Provider: "b", Kind: ProviderSide, Code: "OptedOut"}, {Provider: "c", Kind: ProviderSide, Code: "AuthorizationError"}},
			wantJoined: []error{aSide, bSide, cSide},
		},
		{
			name:       "all failed, unclassified: transient",
			script:     script{"a": {plain}, "b": {plain}, "c": {plain}},
			country:    "US",
			wantKind:   Transient,
			wantCalls:  map[string]int{"a": 1, "b": 1, "c": 1},
			wantTrace:  []Attempt{{Provider: "a", Kind: Transient}, {Provider: "b", Kind: Transient}, {Provider: "c", Kind: Transient}},
			wantJoined: []error{plain},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakes := map[string]*fakeProvider{}
			for _, name := range []string{"a", "b", "c"} {
				fakes[name] = &fakeProvider{name: name, results: tt.script[name]}
			}
			var routes map[string][]Provider
			for country, names := range tt.routes {
				if routes == nil {
					routes = map[string][]Provider{}
				}
				for _, n := range names {
					routes[country] = append(routes[country], fakes[n])
				}
			}
			c := mustChain(t, []Provider{fakes["a"], fakes["b"], fakes["c"]}, routes, BreakerConfig{}, newFakeClock().Now)

			got, trace, err := c.SendTrace(context.Background(), msg(tt.country))

			if tt.wantKind == 0 {
				if err != nil {
					t.Fatalf("SendTrace: %v", err)
				}
			} else {
				if err == nil {
					t.Fatal("SendTrace succeeded, want an error")
				}
				if k := Classify(err); k != tt.wantKind {
					t.Errorf("Classify(err) = %v, want %v (err: %v)", k, tt.wantKind, err)
				}
			}
			if tt.wantErr != nil && err != tt.wantErr {
				t.Errorf("err = %v, want the provider's own error %v", err, tt.wantErr)
			}
			if len(tt.wantJoined) > 0 {
				var pe *Error
				if !errors.As(err, &pe) || pe.Provider != "chain" {
					t.Errorf("err = %#v, want an *Error from chain", err)
				}
				for _, e := range tt.wantJoined {
					if !errors.Is(err, e) {
						t.Errorf("chain error does not wrap %v", e)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTrace, trace); diff != "" {
				t.Errorf("trace (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, calls(fakes["a"], fakes["b"], fakes["c"])); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}

			// Send is SendTrace without the trace.
			r2, err2 := mustChain(t, []Provider{fakes["a"], fakes["b"], fakes["c"]}, routes, BreakerConfig{}, nil).Send(context.Background(), msg(tt.country))
			if Classify(err2) != Classify(err) || (err == nil) != (err2 == nil) || r2.Provider != got.Provider {
				t.Errorf("Send = %v, %v; SendTrace gave %v, %v", r2, err2, got, err)
			}
		})
	}
}

func TestChainAttemptDuration(t *testing.T) {
	clock := newFakeClock()
	a := &fakeProvider{name: "a", results: []error{perr("a", Transient, "503")}, clock: clock, took: 3 * time.Second}
	b := &fakeProvider{name: "b", clock: clock, took: 250 * time.Millisecond}
	c := mustChain(t, []Provider{a, b}, nil, BreakerConfig{}, clock.Now)
	_, trace, err := c.SendTrace(context.Background(), msg("US"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Attempt{{Provider: "a", Kind: Transient, Code: "503", Duration: 3 * time.Second}, {Provider: "b", Duration: 250 * time.Millisecond}}
	if diff := cmp.Diff(want, trace); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
}

func TestChainReceiptProviderFilledIn(t *testing.T) {
	c := mustChain(t, []Provider{noNameReceipt{}}, nil, BreakerConfig{}, nil)
	r, err := c.Send(context.Background(), msg("US"))
	if err != nil || r.Provider != "quiet" {
		t.Fatalf("Send = %+v, %v; want the provider's name in the receipt", r, err)
	}
}

type noNameReceipt struct{}

func (noNameReceipt) Name() string { return "quiet" }
func (noNameReceipt) Send(context.Context, Message) (Receipt, error) {
	return Receipt{MessageID: "x"}, nil
}

// TestChainBreaker walks one chain through its breakers' life on a fake
// clock: opening after N failures, skipping, the all-open fallback, the
// half-open trial, closing and re-opening.
func TestChainBreaker(t *testing.T) {
	clock := newFakeClock()
	aDown := perr("a", Transient, "503")
	bDown := perr("b", ProviderSide, "auth")
	a := &fakeProvider{name: "a", results: []error{aDown}}
	b := &fakeProvider{name: "b", results: []error{nil}}
	c := mustChain(t, []Provider{a, b}, map[string][]Provider{"IN": {b}}, BreakerConfig{Failures: 3, CoolDown: time.Minute}, clock.Now)

	step := func(country string, wantTrace []Attempt, wantKind Kind) {
		t.Helper()
		_, trace, err := c.SendTrace(context.Background(), msg(country))
		if diff := cmp.Diff(wantTrace, trace); diff != "" {
			t.Fatalf("trace (-want +got):\n%s", diff)
		}
		if got := Kind(0); err != nil {
			got = Classify(err)
			if got != wantKind {
				t.Fatalf("kind = %v, want %v (err: %v)", got, wantKind, err)
			}
		} else if wantKind != 0 {
			t.Fatalf("no error, want %v", wantKind)
		}
	}
	state := func(name string, want BreakerState) {
		t.Helper()
		if got, ok := c.BreakerState(name); !ok || got != want {
			t.Fatalf("breaker %s = %v, %v; want %v", name, got, ok, want)
		}
	}

	// a fails 3 times (b delivers each time); its breaker opens at the third.
	for range 3 {
		step("US", []Attempt{{Provider: "a", Kind: Transient, Code: "503"}, {Provider: "b"}}, 0)
	}
	state("a", BreakerOpen)
	state("b", BreakerClosed)

	// While open, a is skipped and not called.
	a.results = append(a.results, nil) // a would work now, but nobody asks
	step("US", []Attempt{{Provider: "a", Skipped: true}, {Provider: "b"}}, 0)
	if a.Calls() != 3 {
		t.Fatalf("a called %d times, want 3", a.Calls())
	}

	// After the cool-down, one trial goes to a; it succeeds and closes it.
	clock.Advance(time.Minute)
	state("a", BreakerHalfOpen)
	step("US", []Attempt{{Provider: "a"}}, 0)
	state("a", BreakerClosed)

	// Now both break, at t0: a after 3 transient failures, b after 3 refusals.
	a.results, a.calls = []error{aDown}, 0
	b.results, b.calls = []error{bDown}, 0
	for range 3 {
		step("US", []Attempt{{Provider: "a", Kind: Transient, Code: "503"}, {Provider: "b", Kind: ProviderSide, Code: "auth"}}, Transient)
	}
	state("a", BreakerOpen) // until t0+1m
	state("b", BreakerOpen) // until t0+1m

	// t0+10s: IN is routed to b alone and b is open, so b is forced; its
	// failure re-opens it until t0+10s+1m, and the error is b's kind.
	clock.Advance(10 * time.Second)
	step("IN", []Attempt{{Provider: "b", Skipped: true}, {Provider: "b", Kind: ProviderSide, Code: "auth"}}, ProviderSide)

	// t0+11s, all open: the chain tries the one whose cool-down ends first,
	// a (t0+1m); its failure re-opens it until t0+11s+1m.
	clock.Advance(time.Second)
	step("US", []Attempt{{Provider: "a", Skipped: true}, {Provider: "b", Skipped: true}, {Provider: "a", Kind: Transient, Code: "503"}}, Transient)
	// Now b's ends first (t0+10s+1m), although a is listed first; b fails
	// again and re-opens at t0+11s+1m too.
	step("US", []Attempt{{Provider: "a", Skipped: true}, {Provider: "b", Skipped: true}, {Provider: "b", Kind: ProviderSide, Code: "auth"}}, ProviderSide)
	// A tie goes to the first listed.
	if ua, ub := c.breakers["a"].OpenUntil(), c.breakers["b"].OpenUntil(); !ua.Equal(ub) {
		t.Fatalf("cool-downs end at %v and %v, want a tie", ua, ub)
	}
	// A forced success closes the breaker at once.
	clock.Advance(time.Second)
	a.results = []error{nil}
	step("US", []Attempt{{Provider: "a", Skipped: true}, {Provider: "b", Skipped: true}, {Provider: "a"}}, 0)
	state("a", BreakerClosed)
	state("b", BreakerOpen)
	step("US", []Attempt{{Provider: "a"}}, 0)

	// A failed half-open trial re-opens for a full cool-down.
	clock.Advance(time.Minute)
	state("b", BreakerHalfOpen)
	step("IN", []Attempt{{Provider: "b", Kind: ProviderSide, Code: "auth"}}, ProviderSide)
	state("b", BreakerOpen)
	clock.Advance(time.Minute - time.Nanosecond)
	state("b", BreakerOpen)
}

func TestChainContextCancelledMidChain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	aErr := perr("a", Transient, "timeout")
	a := &fakeProvider{name: "a", results: []error{aErr}, hook: func(context.Context) { cancel() }}
	b := &fakeProvider{name: "b"}
	c := mustChain(t, []Provider{a, b}, nil, BreakerConfig{Failures: 1}, newFakeClock().Now)

	_, trace, err := c.SendTrace(ctx, msg("US"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
	if !errors.Is(err, aErr) {
		t.Errorf("err = %v, want it to wrap a's error", err)
	}
	if k := Classify(err); k != Transient {
		t.Errorf("kind = %v, want transient", k)
	}
	if b.Calls() != 0 {
		t.Errorf("b called %d times after the ctx was cancelled", b.Calls())
	}
	if diff := cmp.Diff([]Attempt{{Provider: "a", Kind: Transient, Code: "timeout"}}, trace); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	// Our own cancellation is not held against a (Failures is 1).
	if s, _ := c.BreakerState("a"); s != BreakerClosed {
		t.Errorf("a's breaker is %v after a cancelled send, want closed", s)
	}
}

func TestChainContextDoneBeforeSend(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := &fakeProvider{name: "a"}
	c := mustChain(t, []Provider{a}, nil, BreakerConfig{}, nil)
	_, err := c.Send(ctx, msg("US"))
	if !errors.Is(err, context.Canceled) || Classify(err) != Transient {
		t.Errorf("err = %v (%v), want transient wrapping context.Canceled", err, Classify(err))
	}
	if a.Calls() != 0 {
		t.Errorf("a called %d times with a done ctx", a.Calls())
	}
}

func TestChainDeferredFromRateLimit(t *testing.T) {
	clock := newFakeClock()
	ls := Limiters{now: clock.Now, wait: func(context.Context, time.Duration) error { return nil }}
	a := &fakeProvider{name: "a"}
	b := &fakeProvider{name: "b"}
	la, err := ls.RateLimited(a, "+15550001111", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := mustChain(t, []Provider{la, b}, nil, BreakerConfig{Failures: 1}, clock.Now)
	if _, err := c.Send(context.Background(), msg("US")); err != nil {
		t.Fatal(err)
	}
	_, trace, err := c.SendTrace(context.Background(), msg("US"))
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != Deferred || pe.Provider != "a" || pe.RetryAfter != time.Second {
		t.Fatalf("err = %#v, want a's Deferred with RetryAfter 1s", err)
	}
	if b.Calls() != 0 || a.Calls() != 1 {
		t.Errorf("calls a=%d b=%d, want 1 and 0", a.Calls(), b.Calls())
	}
	if diff := cmp.Diff([]Attempt{{Provider: "a", Kind: Deferred, Code: "rate-limit"}}, trace); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	if s, _ := c.BreakerState("a"); s != BreakerClosed {
		t.Errorf("a's breaker is %v after a deferral, want closed", s)
	}
}

func TestChainBreakerPerProviderAcrossRoutes(t *testing.T) {
	// The same provider in the order and in a route has one breaker.
	clock := newFakeClock()
	a := &fakeProvider{name: "a", results: []error{perr("a", Transient, "503")}}
	b := &fakeProvider{name: "b"}
	c := mustChain(t, []Provider{a, b}, map[string][]Provider{"IN": {a, b}}, BreakerConfig{Failures: 2}, clock.Now)
	c.Send(context.Background(), msg("US"))
	c.Send(context.Background(), msg("IN"))
	if s, _ := c.BreakerState("a"); s != BreakerOpen {
		t.Fatalf("a's breaker = %v, want open after one failure in each list", s)
	}
	if _, ok := c.BreakerState("nope"); ok {
		t.Error("BreakerState found a provider the chain does not have")
	}
}

func TestNewChainValidates(t *testing.T) {
	a, b := &fakeProvider{name: "a"}, &fakeProvider{name: "b"}
	tests := []struct {
		name    string
		order   []Provider
		routes  map[string][]Provider
		cfg     BreakerConfig
		wantErr string // "" means valid
	}{
		{"valid", []Provider{a, b}, map[string][]Provider{"IN": {b}, "US": {b, a}}, BreakerConfig{Failures: 2, CoolDown: time.Second}, ""},
		{"no providers", nil, nil, BreakerConfig{}, "no providers"},
		{"nil provider", []Provider{a, nil}, nil, BreakerConfig{}, "order: provider 2 is nil"},
		{"nameless provider", []Provider{&fakeProvider{}}, nil, BreakerConfig{}, "order: provider 1 has no name"},
		{"listed twice", []Provider{a, b, a}, nil, BreakerConfig{}, `order: provider "a" is listed twice`},
		{"lower-case route", []Provider{a}, map[string][]Provider{"in": {a}}, BreakerConfig{}, `route "in": not an upper-case ISO 3166`},
		{"unknown route", []Provider{a}, map[string][]Provider{"XX": {a}}, BreakerConfig{}, `route "XX": not an upper-case ISO 3166`},
		{"UK is not ISO", []Provider{a}, map[string][]Provider{"UK": {a}}, BreakerConfig{}, `route "UK"`},
		{"alpha-3 route", []Provider{a}, map[string][]Provider{"IND": {a}}, BreakerConfig{}, `route "IND"`},
		{"empty route key", []Provider{a}, map[string][]Provider{"": {a}}, BreakerConfig{}, `route ""`},
		{"empty route", []Provider{a}, map[string][]Provider{"IN": {}}, BreakerConfig{}, `route "IN": no providers`},
		{"nil in route", []Provider{a}, map[string][]Provider{"IN": {nil}}, BreakerConfig{}, `route "IN": provider 1 is nil`},
		{"negative failures", []Provider{a}, nil, BreakerConfig{Failures: -1}, "Failures -1 is negative"},
		{"negative cool-down", []Provider{a}, nil, BreakerConfig{CoolDown: -time.Second}, "CoolDown -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewChain(tt.order, tt.routes, tt.cfg, nil)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("NewChain = %v, %v; want a chain", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewChain error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestChainCopiesItsLists(t *testing.T) {
	a, b := &fakeProvider{name: "a"}, &fakeProvider{name: "b"}
	order := []Provider{a, b}
	c := mustChain(t, order, nil, BreakerConfig{}, nil)
	order[0] = b
	if r, _ := c.Send(context.Background(), msg("US")); r.Provider != "a" {
		t.Errorf("receipt from %q: the chain saw the caller's later change to its slice", r.Provider)
	}
	if c.Name() != "chain" {
		t.Errorf("Name() = %q", c.Name())
	}
}

func TestChainConcurrent(t *testing.T) {
	clock := newFakeClock()
	a := &fakeProvider{name: "a", results: []error{perr("a", Transient, "503"), nil}}
	b := &fakeProvider{name: "b"}
	c := mustChain(t, []Provider{a, b}, nil, BreakerConfig{Failures: 2, CoolDown: time.Millisecond}, clock.Now)
	done := make(chan error)
	for range 16 {
		go func() {
			var err error
			for range 200 {
				if _, _, e := c.SendTrace(context.Background(), msg("US")); e != nil {
					err = e
				}
				clock.Advance(time.Microsecond * 50)
			}
			done <- err
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// fakeProvider answers with scripted errors: results[i] for call i, the last
// one for every call after that; an empty script always succeeds.
type fakeProvider struct {
	name    string
	results []error
	clock   *fakeClock                // when set, each Send advances it by took
	took    time.Duration             //
	hook    func(ctx context.Context) // runs inside Send, before it answers

	mu    sync.Mutex
	calls int
}

func (f *fakeProvider) Name() string { return f.name }

func (f *fakeProvider) Send(ctx context.Context, m Message) (Receipt, error) {
	f.mu.Lock()
	i := f.calls
	f.calls++
	f.mu.Unlock()
	if f.clock != nil {
		f.clock.Advance(f.took)
	}
	if f.hook != nil {
		f.hook(ctx)
	}
	var err error
	if n := len(f.results); n > 0 {
		err = f.results[min(i, n-1)]
	}
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{Provider: f.name, MessageID: f.name + "-" + m.ID}, nil
}

func (f *fakeProvider) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

type fakeClock = testutil.Clock

func newFakeClock() *fakeClock {
	return testutil.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
}

func perr(provider string, kind Kind, code string) *Error {
	return &Error{Provider: provider, Kind: kind, Code: code}
}

// hangingProvider blocks until its context ends.
type hangingProvider struct{ name string }

func (h hangingProvider) Name() string { return h.name }

func (h hangingProvider) Send(ctx context.Context, m Message) (Receipt, error) {
	<-ctx.Done()
	return Receipt{}, &Error{Provider: h.name, Kind: Transient, Code: "timeout", Err: ctx.Err()}
}

// A provider that hangs hands over to the next one within its own attempt
// timeout, and its breaker opens after enough of them.
func TestChainAttemptTimeoutHandsOver(t *testing.T) {
	good := &fakeProvider{name: "good"}
	c, err := NewChain([]Provider{hangingProvider{"hang"}, good}, nil, BreakerConfig{Failures: 2, CoolDown: time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetAttemptTimeout(20 * time.Millisecond)
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		r, attempts, err := c.SendTrace(ctx, Message{ID: "m", To: "+14155550123", Country: "US"})
		cancel()
		if err != nil || r.Provider != "good" {
			t.Fatalf("send %d: %+v, %v", i, r, err)
		}
		if i < 2 && (attempts[0].Kind != Transient || attempts[0].Code != "attempt-timeout") {
			t.Errorf("send %d: first attempt %+v, want a transient attempt-timeout", i, attempts[0])
		}
		if i == 2 && !attempts[0].Skipped {
			t.Errorf("send 3: the hanging provider was not skipped after 2 timeouts: %+v", attempts[0])
		}
	}
}

// Single traces its one provider as a Chain would: one Attempt, classified.
func TestSingleSendTrace(t *testing.T) {
	unnamed := errors.New("connection reset")
	tests := []struct {
		name      string
		result    error
		want      Receipt
		wantTrace Attempt
	}{
		{"success", nil, Receipt{Provider: "a", MessageID: "a-m1"}, Attempt{Provider: "a"}},
		{"classified failure", perr("a", Permanent, "21211"), Receipt{}, Attempt{Provider: "a", Kind: Permanent, Code: "21211"}},
		{"plain error", unnamed, Receipt{}, Attempt{Provider: "a", Kind: Classify(unnamed)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeProvider{name: "a", results: []error{tt.result}}
			r, trace, err := Single{Provider: f}.SendTrace(context.Background(), msg("US"))
			if !errors.Is(err, tt.result) || (tt.result == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.result)
			}
			if r != tt.want {
				t.Errorf("receipt = %+v, want %+v", r, tt.want)
			}
			if len(trace) != 1 {
				t.Fatalf("trace = %+v, want one attempt", trace)
			}
			trace[0].Duration = 0
			if trace[0] != tt.wantTrace {
				t.Errorf("attempt = %+v, want %+v", trace[0], tt.wantTrace)
			}
		})
	}
}
