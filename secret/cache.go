package secret

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// MaxTTL is the longest a Cache serves a value without asking its Fetcher
// again: a rotated secret is in use everywhere within MaxTTL.
const MaxTTL = 5 * time.Minute

// staleFactor bounds how old a value a Cache may serve when a refresh
// fails: staleFactor × TTL since it was fetched.
const staleFactor = 3

// fetchTimeout bounds one fetch. The fetch runs apart from the caller's
// context (see Get), so it needs its own bound.
const fetchTimeout = 30 * time.Second

// Cache holds the value of a Fetcher for a TTL. It is safe for concurrent
// use, and at most one fetch is in flight at a time.
//
// A Cache must not be copied after first use.
type Cache struct {
	src        Fetcher
	ttl        time.Duration
	maxStale   time.Duration // serve a value this old at most, even when refresh fails
	retryAfter time.Duration // after a failed refresh, serve the stale value this long before retrying
	now        func() time.Time

	mu        sync.Mutex
	val       []byte    // nil until the first successful fetch
	fetchedAt time.Time // when the fetch that produced val started
	failedAt  time.Time // when the last refresh failed while a stale value was served; zero after a success
	inflight  *call     // the fetch in flight, if any
}

// call is one fetch that callers wait for.
type call struct {
	done chan struct{} // closed when val and err are set
	val  []byte        // shared by waiters: never modified, cloned before returning
	err  error
}

// NewCache returns a Cache over src. A ttl above MaxTTL is clamped to
// MaxTTL, and a ttl of zero or less means MaxTTL; we clamp rather than fail
// because the bound exists for rotation, and the nearest allowed value is
// what a caller asking for more wants. now is the clock (nil means
// time.Now). NewCache panics if src is nil.
func NewCache(src Fetcher, ttl time.Duration, now func() time.Time) *Cache {
	if src == nil {
		panic("secret.NewCache: nil Fetcher")
	}
	if ttl <= 0 || ttl > MaxTTL {
		ttl = MaxTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Cache{
		src:        src,
		ttl:        ttl,
		maxStale:   staleFactor * ttl,
		retryAfter: ttl / 10,
		now:        now,
	}
}

// TTL returns the effective TTL after clamping.
func (c *Cache) TTL() time.Duration { return c.ttl }

// Get returns the secret's value: the cached one while it is younger than
// the TTL, otherwise a freshly fetched one. The caller owns the returned
// slice.
//
// If a refresh fails while the cached value is younger than 3×TTL, Get
// returns that value and a nil error, and for TTL/10 after the failure it
// serves the value without asking the Fetcher again. We chose this because
// the secret is needed on every sign-in, a Secrets Manager or SSM hiccup
// should not become a sign-in outage, and a value a few minutes old is
// still right unless a rotation happened in that window (and a rotation
// keeps the previous secret valid for a while anyway). The Cache logs
// nothing: callers that care see the next failure once the value is older
// than 3×TTL. With no value that young, Get returns the fetch error.
//
// Concurrent callers share one fetch. The fetch runs with ctx's values but
// not its cancellation (bounded by its own timeout), so one caller giving up
// does not fail the fetch for the others; each caller waits only until its
// own ctx is done.
func (c *Cache) Get(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	now := c.now()
	if c.val != nil && c.age(now) < c.ttl {
		v := bytes.Clone(c.val)
		c.mu.Unlock()
		return v, nil
	}
	if c.val != nil && c.age(now) < c.maxStale && !c.failedAt.IsZero() && inWindow(now, c.failedAt, c.retryAfter) {
		v := bytes.Clone(c.val)
		c.mu.Unlock()
		return v, nil
	}
	cl := c.inflight
	if cl == nil {
		cl = &call{done: make(chan struct{})}
		c.inflight = cl
		go c.fetch(context.WithoutCancel(ctx), cl, now)
	}
	c.mu.Unlock()

	select {
	case <-cl.done:
		if cl.err != nil {
			return nil, cl.err
		}
		return bytes.Clone(cl.val), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for secret: %w", context.Cause(ctx))
	}
}

// age returns how long ago the cached value was fetched; a clock that went
// backwards makes the value look infinitely old, so it is refreshed.
func (c *Cache) age(now time.Time) time.Duration {
	d := now.Sub(c.fetchedAt)
	if d < 0 {
		return 1<<63 - 1
	}
	return d
}

func inWindow(now, start time.Time, d time.Duration) bool {
	since := now.Sub(start)
	return since >= 0 && since < d
}

// fetch runs one fetch for cl and publishes its result.
func (c *Cache) fetch(ctx context.Context, cl *call, started time.Time) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	v, err := c.safeFetch(ctx)
	if err == nil && len(v) == 0 {
		err = ErrEmpty
	}

	c.mu.Lock()
	defer func() {
		c.inflight = nil
		c.mu.Unlock()
		close(cl.done)
	}()
	if err == nil {
		c.val, c.fetchedAt, c.failedAt = bytes.Clone(v), started, time.Time{}
		cl.val = c.val
		return
	}
	now := c.now()
	if c.val != nil && c.age(now) < c.maxStale {
		// Stale-on-error: see Get.
		c.failedAt = now
		cl.val = c.val
		return
	}
	cl.err = fmt.Errorf("fetch secret: %w", err)
}

// safeFetch calls the Fetcher, turning a panic into an error: the fetch
// runs in its own goroutine, where a panic would end the process.
func (c *Cache) safeFetch(ctx context.Context) (v []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			// The panic value is not printed: it could hold anything.
			v, err = nil, fmt.Errorf("fetcher %T panicked", c.src)
		}
	}()
	return c.src.Fetch(ctx)
}

// Format prints "secret.Cache(redacted)" for every verb, so that logging a
// Cache by mistake shows no secret.
func (c *Cache) Format(f fmt.State, verb rune) {
	io.WriteString(f, "secret.Cache(redacted)")
}
