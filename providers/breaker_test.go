package providers

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// send lets one send through b (failing the test if b refuses) and reports err.
func send(t *testing.T, b *Breaker, err error) {
	t.Helper()
	done, ok := b.Allow()
	if !ok {
		t.Fatalf("Allow refused in state %v", b.State())
	}
	done(err)
}

func wantState(t *testing.T, b *Breaker, want BreakerState) {
	t.Helper()
	if got := b.State(); got != want {
		t.Fatalf("state = %v, want %v", got, want)
	}
}

var (
	errTransient    = perr("p", Transient, "503")
	errProviderSide = perr("p", ProviderSide, "auth")
	errPermanent    = perr("p", Permanent, "invalid-number")
	errDeferred     = perr("p", Deferred, "rate-limit")
)

func TestBreakerCounting(t *testing.T) {
	tests := []struct {
		name    string
		results []error
		want    BreakerState
	}{
		{"closed below the threshold", []error{errTransient, errTransient}, BreakerClosed},
		{"opens at the threshold", []error{errTransient, errTransient, errTransient}, BreakerOpen},
		{"provider-side counts like transient", []error{errProviderSide, errTransient, errProviderSide}, BreakerOpen},
		{"unclassified errors count as transient", []error{errors.New("boom"), errTransient, errTransient}, BreakerOpen},
		{"success resets the count", []error{errTransient, errTransient, nil, errTransient, errTransient}, BreakerClosed},
		{"permanent resets the count", []error{errTransient, errTransient, errPermanent, errTransient, errTransient}, BreakerClosed},
		{"deferred neither counts nor resets", []error{errTransient, errDeferred, errTransient, errDeferred, errTransient}, BreakerOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			b := NewBreaker(BreakerConfig{Failures: 3, CoolDown: time.Minute}, clock.Now)
			for _, err := range tt.results {
				send(t, b, err)
			}
			wantState(t, b, tt.want)
		})
	}
}

func TestBreakerCycle(t *testing.T) {
	clock := newFakeClock()
	b := NewBreaker(BreakerConfig{Failures: 2, CoolDown: time.Minute}, clock.Now)
	send(t, b, errTransient)
	send(t, b, errTransient)
	wantState(t, b, BreakerOpen)
	if got, want := b.OpenUntil(), clock.Now().Add(time.Minute); !got.Equal(want) {
		t.Fatalf("OpenUntil = %v, want %v", got, want)
	}

	clock.Advance(time.Minute - time.Nanosecond)
	if _, ok := b.Allow(); ok {
		t.Fatal("Allow let a send through during the cool-down")
	}
	clock.Advance(time.Nanosecond)
	wantState(t, b, BreakerHalfOpen)

	// One trial at a time.
	trial, ok := b.Allow()
	if !ok {
		t.Fatal("no trial after the cool-down")
	}
	if _, ok := b.Allow(); ok {
		t.Fatal("a second send went through while the trial was out")
	}
	// A failed trial re-opens for a whole new cool-down.
	trial(errTransient)
	wantState(t, b, BreakerOpen)
	if got, want := b.OpenUntil(), clock.Now().Add(time.Minute); !got.Equal(want) {
		t.Fatalf("OpenUntil after failed trial = %v, want %v", got, want)
	}

	// A deferred trial hands the slot back.
	clock.Advance(time.Minute)
	trial, _ = b.Allow()
	trial(errDeferred)
	wantState(t, b, BreakerHalfOpen)

	// A successful trial closes it, with a fresh count.
	send(t, b, nil)
	wantState(t, b, BreakerClosed)
	if !b.OpenUntil().IsZero() {
		t.Fatalf("OpenUntil = %v on a closed breaker", b.OpenUntil())
	}
	send(t, b, errTransient)
	wantState(t, b, BreakerClosed)
}

func TestBreakerPermanentTrialCloses(t *testing.T) {
	clock := newFakeClock()
	b := NewBreaker(BreakerConfig{Failures: 1, CoolDown: time.Second}, clock.Now)
	send(t, b, errProviderSide)
	clock.Advance(time.Second)
	send(t, b, errPermanent)
	wantState(t, b, BreakerClosed)
}

func TestBreakerIgnoresStaleResults(t *testing.T) {
	clock := newFakeClock()
	b := NewBreaker(BreakerConfig{Failures: 1, CoolDown: time.Second}, clock.Now)
	first, _ := b.Allow()
	slow, _ := b.Allow() // let through while closed, answers late
	first(errTransient)
	wantState(t, b, BreakerOpen)
	until := b.OpenUntil()
	clock.Advance(500 * time.Millisecond)
	slow(errTransient) // must not extend the cool-down
	if got := b.OpenUntil(); !got.Equal(until) {
		t.Fatalf("a stale failure moved OpenUntil from %v to %v", until, got)
	}
	clock.Advance(500 * time.Millisecond)
	trial, _ := b.Allow()
	trial(nil)
	wantState(t, b, BreakerClosed)
}

func TestBreakerDoneTwiceCountsOnce(t *testing.T) {
	b := NewBreaker(BreakerConfig{Failures: 2}, newFakeClock().Now)
	done, _ := b.Allow()
	done(errTransient)
	done(errTransient)
	wantState(t, b, BreakerClosed)
}

func TestBreakerForce(t *testing.T) {
	clock := newFakeClock()
	b := NewBreaker(BreakerConfig{Failures: 1, CoolDown: time.Minute}, clock.Now)
	send(t, b, errTransient)
	clock.Advance(10 * time.Second)
	b.Force()(errTransient) // re-opens from now
	if got, want := b.OpenUntil(), clock.Now().Add(time.Minute); !got.Equal(want) {
		t.Fatalf("OpenUntil = %v, want %v", got, want)
	}
	b.Force()(nil)
	wantState(t, b, BreakerClosed)
}

func TestBreakerDefaults(t *testing.T) {
	clock := newFakeClock()
	b := NewBreaker(BreakerConfig{}, clock.Now)
	for range DefaultBreakerFailures - 1 {
		send(t, b, errTransient)
	}
	wantState(t, b, BreakerClosed)
	send(t, b, errTransient)
	wantState(t, b, BreakerOpen)
	if got, want := b.OpenUntil(), clock.Now().Add(DefaultBreakerCoolDown); !got.Equal(want) {
		t.Fatalf("OpenUntil = %v, want %v", got, want)
	}
}

func TestBreakerConfigValidate(t *testing.T) {
	for _, c := range []BreakerConfig{{Failures: -1}, {CoolDown: -time.Second}} {
		if c.Validate() == nil {
			t.Errorf("%+v: Validate() = nil, want an error", c)
		}
	}
	if err := (BreakerConfig{}).Validate(); err != nil {
		t.Errorf("zero config: %v", err)
	}
}

func TestBreakerConcurrent(t *testing.T) {
	clock := newFakeClock()
	b := NewBreaker(BreakerConfig{Failures: 3, CoolDown: time.Millisecond}, clock.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				if done, ok := b.Allow(); ok {
					if (g+i)%3 == 0 {
						done(nil)
					} else {
						done(errTransient)
					}
				}
				_ = b.State()
				_ = b.OpenUntil()
				clock.Advance(time.Microsecond * 100)
			}
		})
	}
	wg.Wait()
	// Whatever happened, the breaker must still work: a success after the
	// cool-down closes it.
	clock.Advance(time.Millisecond)
	if done, ok := b.Allow(); ok {
		done(nil)
	}
	wantState(t, b, BreakerClosed)
}

func TestBreakerStateString(t *testing.T) {
	for s, want := range map[BreakerState]string{BreakerClosed: "closed", BreakerOpen: "open", BreakerHalfOpen: "half-open", 0: "BreakerState(0)"} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(s), got, want)
		}
	}
}
