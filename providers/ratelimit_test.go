package providers

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeWaits records every wait the limiter asks for; it returns at once
// (without moving the clock) or with err.
type fakeWaits struct {
	waits []time.Duration
	err   error
}

func (w *fakeWaits) wait(_ context.Context, d time.Duration) error {
	w.waits = append(w.waits, d)
	return w.err
}

func newTestLimiters(clock *fakeClock, w *fakeWaits) *Limiters {
	return &Limiters{now: clock.Now, wait: w.wait}
}

func mustLimit(t *testing.T, ls *Limiters, p Provider, sender string, perSecond float64, maxWait time.Duration) Provider {
	t.Helper()
	rl, err := ls.RateLimited(p, sender, perSecond, maxWait)
	if err != nil {
		t.Fatalf("RateLimited: %v", err)
	}
	return rl
}

// wantDeferred checks err is the limiter's Deferred error with RetryAfter after.
func wantDeferred(t *testing.T, err error, provider string, after time.Duration) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *Error", err)
	}
	want := Error{Provider: provider, Kind: Deferred, Code: "rate-limit", RetryAfter: after}
	got := *pe
	got.Err = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("error (-want +got):\n%s", diff)
	}
}

func TestRateLimitedWaitsThenDefers(t *testing.T) {
	clock, w := newFakeClock(), &fakeWaits{}
	p := &fakeProvider{name: "twilio"}
	rl := mustLimit(t, newTestLimiters(clock, w), p, "+15550001111", 1, 2*time.Second)
	if rl.Name() != "twilio" {
		t.Errorf("Name() = %q, want the provider's", rl.Name())
	}
	ctx := context.Background()

	// At one instant: the first send goes now, the next two wait 1 s and 2 s.
	for range 3 {
		if _, err := rl.Send(ctx, msg("US")); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, w.waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	// The fourth would wait 3 s, more than maxWait: deferred, p not called,
	// and the reservation given back, so the fifth is told the same.
	for range 2 {
		_, err := rl.Send(ctx, msg("US"))
		wantDeferred(t, err, "twilio", 3*time.Second)
	}
	if p.Calls() != 3 || len(w.waits) != 2 {
		t.Errorf("provider called %d times, %d waits; want 3 and 2", p.Calls(), len(w.waits))
	}
	// When RetryAfter has passed, a send goes at once.
	clock.Advance(3 * time.Second)
	if _, err := rl.Send(ctx, msg("US")); err != nil {
		t.Fatal(err)
	}
	if p.Calls() != 4 || len(w.waits) != 2 {
		t.Errorf("provider called %d times, %d waits; want 4 and 2", p.Calls(), len(w.waits))
	}
}

func TestRateLimitedZeroMaxWait(t *testing.T) {
	clock, w := newFakeClock(), &fakeWaits{}
	p := &fakeProvider{name: "sns"}
	rl := mustLimit(t, newTestLimiters(clock, w), p, "sender", 4, 0)
	if _, err := rl.Send(context.Background(), msg("US")); err != nil {
		t.Fatal(err)
	}
	_, err := rl.Send(context.Background(), msg("US"))
	wantDeferred(t, err, "sns", 250*time.Millisecond)
	clock.Advance(250 * time.Millisecond)
	if _, err := rl.Send(context.Background(), msg("US")); err != nil {
		t.Fatal(err)
	}
	if p.Calls() != 2 || len(w.waits) != 0 {
		t.Errorf("provider called %d times, %d waits; want 2 and 0", p.Calls(), len(w.waits))
	}
}

func TestRateLimitedSharedSender(t *testing.T) {
	clock, w := newFakeClock(), &fakeWaits{}
	ls := newTestLimiters(clock, w)
	a, b, other := &fakeProvider{name: "a"}, &fakeProvider{name: "b"}, &fakeProvider{name: "other"}
	ra := mustLimit(t, ls, a, "shortcode-1", 1, 0)
	rb := mustLimit(t, ls, b, "shortcode-1", 1, 0)
	ro := mustLimit(t, ls, other, "shortcode-2", 1, 0)
	ctx := context.Background()
	if _, err := ra.Send(ctx, msg("US")); err != nil {
		t.Fatal(err)
	}
	// b shares a's sender: its bucket is empty.
	_, err := rb.Send(ctx, msg("US"))
	wantDeferred(t, err, "b", time.Second)
	// Another sender has its own bucket.
	if _, err := ro.Send(ctx, msg("US")); err != nil {
		t.Fatal(err)
	}
	// Two RateLimited calls without a shared Limiters do not share.
	p1 := RateLimited(&fakeProvider{name: "p1"}, "same", 1, 0)
	p2 := RateLimited(&fakeProvider{name: "p2"}, "same", 1, 0)
	for _, p := range []Provider{p1, p2} {
		if _, err := p.Send(ctx, msg("US")); err != nil {
			t.Errorf("%s: %v", p.Name(), err)
		}
	}
}

func TestRateLimitedCancelledWhileWaiting(t *testing.T) {
	clock := newFakeClock()
	w := &fakeWaits{err: context.Canceled}
	p := &fakeProvider{name: "twilio"}
	ls := newTestLimiters(clock, w)
	rl := mustLimit(t, ls, p, "s", 1, 10*time.Second)
	ctx := context.Background()
	if _, err := rl.Send(ctx, msg("US")); err != nil {
		t.Fatal(err)
	}
	_, err := rl.Send(ctx, msg("US"))
	wantDeferred(t, err, "twilio", time.Second)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
	if p.Calls() != 1 {
		t.Errorf("provider called %d times, want 1", p.Calls())
	}
	// The cancelled wait gave its slot back: the next one is 1 s away, not 2.
	w.err = nil
	if _, err := rl.Send(ctx, msg("US")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, time.Second}, w.waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRateLimitedContextAlreadyDone(t *testing.T) {
	clock, w := newFakeClock(), &fakeWaits{}
	p := &fakeProvider{name: "twilio"}
	rl := mustLimit(t, newTestLimiters(clock, w), p, "s", 1, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := rl.Send(ctx, msg("US"))
	wantDeferred(t, err, "twilio", 0)
	if !errors.Is(err, context.Canceled) || p.Calls() != 0 {
		t.Errorf("err = %v, calls = %d; want context.Canceled and no call", err, p.Calls())
	}
	// No token was taken.
	if _, err := rl.Send(context.Background(), msg("US")); err != nil || len(w.waits) != 0 {
		t.Errorf("after a done ctx: err = %v, waits = %v; want a send at once", err, w.waits)
	}
}

func TestRateLimitedDeadlineSoonerThanToken(t *testing.T) {
	clock, w := newFakeClock(), &fakeWaits{}
	p := &fakeProvider{name: "twilio"}
	rl := mustLimit(t, newTestLimiters(clock, w), p, "s", 0.5, time.Minute)
	if _, err := rl.Send(context.Background(), msg("US")); err != nil {
		t.Fatal(err)
	}
	// The next token is 2 s away; the ctx ends well before that.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := rl.Send(ctx, msg("US"))
	wantDeferred(t, err, "twilio", 2*time.Second)
	if p.Calls() != 1 || len(w.waits) != 0 {
		t.Errorf("provider called %d times, %d waits; want 1 and 0", p.Calls(), len(w.waits))
	}
}

func TestRateLimitedProviderErrorPassesThrough(t *testing.T) {
	perm := perr("twilio", Permanent, "21211")
	p := &fakeProvider{name: "twilio", results: []error{perm}}
	rl := mustLimit(t, newTestLimiters(newFakeClock(), &fakeWaits{}), p, "s", 1, 0)
	if _, err := rl.Send(context.Background(), msg("US")); err != perm {
		t.Errorf("err = %v, want the provider's own", err)
	}
}

func TestLimitersRateLimitedValidates(t *testing.T) {
	var ls Limiters
	p := &fakeProvider{name: "p"}
	if _, err := ls.RateLimited(p, "s", 2, 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		p         Provider
		sender    string
		perSecond float64
		maxWait   time.Duration
		wantErr   string
	}{
		{"nil provider", nil, "s", 1, 0, "provider is nil"},
		{"no sender", p, "", 1, 0, "sender is empty"},
		{"zero rate", p, "t", 0, 0, "not a positive finite rate"},
		{"negative rate", p, "t", -1, 0, "not a positive finite rate"},
		{"infinite rate", p, "t", math.Inf(1), 0, "not a positive finite rate"},
		{"NaN rate", p, "t", math.NaN(), 0, "not a positive finite rate"},
		{"negative wait", p, "t", 1, -time.Second, "negative max wait"},
		{"sender has another rate", p, "s", 3, 0, "the sender already has 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ls.RateLimited(tt.p, tt.sender, tt.perSecond, tt.maxWait)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	// The same rate again shares the bucket.
	if _, err := ls.RateLimited(&fakeProvider{name: "q"}, "s", 2, time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestRateLimitedPanicsOnBadRate(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("RateLimited with rate 0 did not panic")
		}
	}()
	RateLimited(&fakeProvider{name: "p"}, "s", 0, 0)
}

// TestRateLimitedRealClock runs the real clock and timer once: two sends at
// 20 per second. Only a generous lower bound on the elapsed time is checked.
func TestRateLimitedRealClock(t *testing.T) {
	p := &fakeProvider{name: "p"}
	rl := RateLimited(p, "s", 20, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	for range 2 {
		if _, err := rl.Send(ctx, msg("US")); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 25*time.Millisecond {
		t.Errorf("two sends at 20/s took %v, want at least about 50ms", el)
	}
	if p.Calls() != 2 {
		t.Errorf("provider called %d times, want 2", p.Calls())
	}
}

func BenchmarkRateLimitedUnthrottled(b *testing.B) {
	// A rate far above the loop's speed: the limiter's own cost per send.
	rl := RateLimited(&fakeProvider{name: "p"}, "s", 1e9, time.Second)
	ctx := context.Background()
	m := msg("US")
	for b.Loop() {
		rl.Send(ctx, m)
	}
}

// SetRate changes a sender's bucket at run time (a routing override): the
// next token comes at the new rate, for every provider of that sender.
func TestLimitersSetRate(t *testing.T) {
	clock, w := newFakeClock(), &fakeWaits{}
	ls := newTestLimiters(clock, w)
	a := mustLimit(t, ls, &fakeProvider{name: "a"}, "sender", 1, 0)
	ctx := context.Background()
	if _, err := a.Send(ctx, msg("US")); err != nil {
		t.Fatal(err)
	}
	_, err := a.Send(ctx, msg("US"))
	wantDeferred(t, err, "a", time.Second)
	if err := ls.SetRate("sender", 4); err != nil {
		t.Fatal(err)
	}
	clock.Advance(250 * time.Millisecond)
	if _, err := a.Send(ctx, msg("US")); err != nil {
		t.Errorf("after SetRate(4) and 250ms: %v", err)
	}
	for _, tc := range []struct {
		sender string
		rate   float64
	}{{"nobody", 1}, {"sender", 0}, {"sender", -1}, {"sender", math.Inf(1)}, {"sender", math.NaN()}} {
		if err := ls.SetRate(tc.sender, tc.rate); err == nil {
			t.Errorf("SetRate(%q, %v) accepted", tc.sender, tc.rate)
		}
	}
}
