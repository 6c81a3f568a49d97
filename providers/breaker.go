package providers

import (
	"fmt"
	"sync"
	"time"
)

// BreakerConfig sets when a provider's circuit breaker opens and for how long.
// The zero value means the defaults.
type BreakerConfig struct {
	Failures int           // consecutive failures that open the breaker; 0 means 5
	CoolDown time.Duration // how long it stays open before a trial send; 0 means 30 s
}

// Default breaker settings.
const (
	DefaultBreakerFailures = 5
	DefaultBreakerCoolDown = 30 * time.Second
)

// Validate reports a negative setting.
func (c BreakerConfig) Validate() error {
	if c.Failures < 0 {
		return fmt.Errorf("breaker: Failures %d is negative", c.Failures)
	}
	if c.CoolDown < 0 {
		return fmt.Errorf("breaker: CoolDown %v is negative", c.CoolDown)
	}
	return nil
}

func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.Failures == 0 {
		c.Failures = DefaultBreakerFailures
	}
	if c.CoolDown == 0 {
		c.CoolDown = DefaultBreakerCoolDown
	}
	return c
}

// BreakerState is where a breaker is in its cycle.
type BreakerState int

const (
	_ BreakerState = iota // the zero state is not a state
	// BreakerClosed: sends go through; consecutive failures are counted.
	BreakerClosed
	// BreakerOpen: the provider is skipped until the cool-down ends.
	BreakerOpen
	// BreakerHalfOpen: the cool-down has ended; one trial send may go (or is
	// on its way), and its result closes or re-opens the breaker.
	BreakerHalfOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return fmt.Sprintf("BreakerState(%d)", int(s))
}

// Breaker is one provider's circuit breaker. After Failures consecutive
// failed sends it opens: the provider is skipped for CoolDown. Then one trial
// send is let through (half-open); its success closes the breaker, its
// failure opens it for another CoolDown.
//
// What a result counts as, by Kind (see Allow's done):
//   - success, Permanent and NotOnChannel: the provider answered and judged
//     the number, so it works: the failure count resets and a trial closes
//     the breaker.
//   - Transient: a failure.
//   - ProviderSide: a failure too, counted like Transient rather than opening
//     the breaker at once, because some refusals are per destination (a
//     country not enabled on the account, a sender not allowed there): one
//     such message must not shut the provider for every other country, while
//     a provider that refuses every send (bad credentials, spend limit) still
//     opens it after Failures sends.
//   - Deferred: our own rate limit, the provider was not called: nothing is
//     learned, nothing changes (a trial slot is handed back).
//
// A Breaker is safe for concurrent use. Results of sends let through before
// the breaker last changed state are ignored (a slow send that started while
// it was closed cannot re-open it after a successful trial).
type Breaker struct {
	cfg BreakerConfig
	now func() time.Time

	mu        sync.Mutex
	gen       uint64 // bumped on every state change; stale results are ignored
	state     BreakerState
	failures  int       // consecutive failures while closed
	openUntil time.Time // while open: when the cool-down ends
	trial     bool      // while half-open: the trial send is out
}

// NewBreaker returns a closed breaker. Zero fields of cfg take the defaults
// (negative ones too: call cfg.Validate to refuse them); a nil now is
// time.Now.
func NewBreaker(cfg BreakerConfig, now func() time.Time) *Breaker {
	if cfg.Failures < 0 {
		cfg.Failures = 0
	}
	if cfg.CoolDown < 0 {
		cfg.CoolDown = 0
	}
	if now == nil {
		now = time.Now
	}
	return &Breaker{cfg: cfg.withDefaults(), now: now, state: BreakerClosed}
}

// Allow reports whether a send may go to the provider now: always while
// closed, never while open, and once (the trial) when the cool-down is over.
// When ok, the caller must call done exactly once with the send's error (nil
// on success); a result that says nothing about the provider (our own context
// ran out) should be passed as an error of Kind Deferred.
func (b *Breaker) Allow() (done func(error), ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerOpen:
		if b.now().Before(b.openUntil) {
			return nil, false
		}
		b.setState(BreakerHalfOpen)
		fallthrough
	case BreakerHalfOpen:
		if b.trial {
			return nil, false
		}
		b.trial = true
	}
	return b.doneFor(b.gen), true
}

// Force lets a send through whatever the state, for a caller with no better
// provider left: its result counts like a trial's (success closes the
// breaker, failure opens it for a new cool-down). Call done exactly once.
func (b *Breaker) Force() (done func(error)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.doneFor(b.gen)
}

// State is the breaker's state now; an open breaker whose cool-down has
// ended reads as half-open.
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen && !b.now().Before(b.openUntil) {
		return BreakerHalfOpen
	}
	return b.state
}

// OpenUntil is when the open breaker's cool-down ends; the zero time when it
// is not open.
func (b *Breaker) OpenUntil() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state != BreakerOpen {
		return time.Time{}
	}
	return b.openUntil
}

func (b *Breaker) doneFor(gen uint64) func(error) {
	var once sync.Once
	return func(err error) { once.Do(func() { b.record(gen, err) }) }
}

func (b *Breaker) record(gen uint64, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.gen {
		return // let through before the last state change: stale
	}
	kind := Kind(0)
	if err != nil {
		kind = Classify(err)
	}
	switch kind {
	case 0, Permanent, NotOnChannel: // the provider works
		b.failures = 0
		if b.state != BreakerClosed {
			b.setState(BreakerClosed)
		}
	case Deferred: // not sent: nothing learned
		b.trial = false
	default: // Transient, ProviderSide
		if b.state == BreakerClosed {
			b.failures++
			if b.failures < b.cfg.Failures {
				return
			}
		}
		b.setState(BreakerOpen)
		b.openUntil = b.now().Add(b.cfg.CoolDown)
	}
}

// setState moves to s, starting a new generation. Callers hold mu.
func (b *Breaker) setState(s BreakerState) {
	b.state = s
	b.gen++
	b.failures = 0
	b.trial = false
}
