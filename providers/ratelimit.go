package providers

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/pause"
)

// RateLimited puts a token bucket of perSecond sends (burst 1) in front of p,
// for one sender (the number, short code or sender id the provider sends
// from). Send waits for a token up to maxWait and the ctx's deadline; when the
// token is further away than that, it does not call p and returns an *Error
// of Kind Deferred, Code "rate-limit", whose RetryAfter says when the token
// will be there. Name is p.Name(), so a chain's breaker and metrics see the
// provider, not the wrapper.
//
// The bucket is p's own. When several providers send from one sender (one
// account behind two adapters, or two chains), wrap them with one Limiters so
// they share the sender's bucket.
//
// RateLimited panics if perSecond is not a positive finite number, like
// regexp.MustCompile: validate configuration before this, or use
// Limiters.RateLimited, which returns the error.
func RateLimited(p Provider, sender string, perSecond float64, maxWait time.Duration) Provider {
	var ls Limiters
	rl, err := ls.RateLimited(p, sender, perSecond, maxWait)
	if err != nil {
		panic(err)
	}
	return rl
}

// Limiters holds one token bucket per sender, so that every provider wrapped
// with the same sender key draws from the same budget. The zero value is
// ready to use; a Limiters is safe for concurrent use.
type Limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter

	// Test seams; nil means the real clock.
	now  func() time.Time
	wait func(ctx context.Context, d time.Duration) error
}

// RateLimited is the package's RateLimited with the bucket shared by sender:
// the first call for a sender creates its bucket, later calls reuse it. A
// later call that gives the sender a different rate is an error (two pieces
// of configuration disagree about one sender's throughput), as are an empty
// sender, a perSecond that is not a positive finite number, and a nil p.
func (ls *Limiters) RateLimited(p Provider, sender string, perSecond float64, maxWait time.Duration) (Provider, error) {
	switch {
	case p == nil:
		return nil, fmt.Errorf("rate limit for sender %q: provider is nil", sender)
	case sender == "":
		return nil, fmt.Errorf("rate limit for %s: sender is empty", p.Name())
	case !(perSecond > 0) || math.IsInf(perSecond, 0):
		return nil, fmt.Errorf("rate limit for %s sender %q: %v per second is not a positive finite rate", p.Name(), sender, perSecond)
	case maxWait < 0:
		return nil, fmt.Errorf("rate limit for %s sender %q: negative max wait %v", p.Name(), sender, maxWait)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	lim := ls.m[sender]
	switch {
	case lim == nil:
		lim = rate.NewLimiter(rate.Limit(perSecond), 1)
		if ls.m == nil {
			ls.m = make(map[string]*rate.Limiter)
		}
		ls.m[sender] = lim
	case lim.Limit() != rate.Limit(perSecond):
		return nil, fmt.Errorf("rate limit for %s sender %q: %v per second, but the sender already has %v", p.Name(), sender, perSecond, float64(lim.Limit()))
	}
	now, wait := ls.now, ls.wait
	if now == nil {
		now = time.Now
	}
	if wait == nil {
		wait = pause.For
	}
	return &rateLimited{p: p, sender: sender, lim: lim, maxWait: maxWait, now: now, wait: wait}, nil
}

// SetRate changes the rate of sender's bucket at run time (a routing
// override): every provider wrapped for that sender follows. It is an error
// for a sender without a bucket or a rate that is not positive and finite.
func (ls *Limiters) SetRate(sender string, perSecond float64) error {
	if !(perSecond > 0) || math.IsInf(perSecond, 0) {
		return fmt.Errorf("rate limit for sender %q: %v per second is not a positive finite rate", sender, perSecond)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	lim := ls.m[sender]
	if lim == nil {
		return fmt.Errorf("rate limit for sender %q: no such sender", sender)
	}
	now := time.Now
	if ls.now != nil {
		now = ls.now
	}
	lim.SetLimitAt(now(), rate.Limit(perSecond))
	return nil
}

type rateLimited struct {
	p       Provider
	sender  string
	lim     *rate.Limiter
	maxWait time.Duration
	now     func() time.Time
	wait    func(ctx context.Context, d time.Duration) error
}

func (r *rateLimited) Name() string { return r.p.Name() }

func (r *rateLimited) Send(ctx context.Context, m Message) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, r.deferred(0, err)
	}
	now := r.now()
	res := r.lim.ReserveN(now, 1) // with burst 1 and a finite positive rate, always OK
	d := res.DelayFrom(now)
	limit := r.maxWait
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < limit {
		limit = time.Until(dl) // a token we could not live to use is no token
	}
	if d > limit {
		res.CancelAt(now) // give the token back: we are not going to use it
		return Receipt{}, r.deferred(d, fmt.Errorf("next send slot in %v, more than the %v we may wait", d, limit))
	}
	if d > 0 {
		if err := r.wait(ctx, d); err != nil {
			res.CancelAt(r.now())
			return Receipt{}, r.deferred(d, err)
		}
	}
	return r.p.Send(ctx, m)
}

// deferred is the error for a send we did not make: not an attempt, and
// nothing the provider did. It wraps the ctx's error when that is the cause.
func (r *rateLimited) deferred(after time.Duration, err error) *Error {
	return &Error{Provider: r.p.Name(), Kind: Deferred, Code: "rate-limit", RetryAfter: after, Err: err}
}
