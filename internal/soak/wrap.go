package soak

import (
	"context"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// windowFaults counts, per number, the faults that may rightly cause a
// second SMS for one code (docs/delivery.md, Duplicates): a provider that
// sent but whose answer was lost, and a claim's outcome that could not be
// recorded.
type windowFaults struct {
	mu    sync.Mutex
	to    map[string]string // challenge id -> number, from claims
	count map[string]int    // number -> faults
	// written is when a challenge was last written per number, so a
	// person knows which SMS holds the code of the challenge in hand,
	// new or reused: the first after that write.
	written map[string]time.Time
}

func newWindowFaults() *windowFaults {
	return &windowFaults{to: map[string]string{}, count: map[string]int{}, written: map[string]time.Time{}}
}

func (w *windowFaults) wrote(to string) {
	w.mu.Lock()
	w.written[to] = time.Now()
	w.mu.Unlock()
}

// lastWrite is when the newest challenge for to was written: its SMS is
// the first one after it.
func (w *windowFaults) lastWrite(to string) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written[to]
}

func (w *windowFaults) claimed(id, to string) {
	w.mu.Lock()
	w.to[id] = to
	w.mu.Unlock()
}

func (w *windowFaults) add(to string) {
	w.mu.Lock()
	w.count[to]++
	w.mu.Unlock()
}

func (w *windowFaults) addFor(id string) {
	w.mu.Lock()
	w.count[w.to[id]]++
	w.mu.Unlock()
}

func (w *windowFaults) of(to string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count[to]
}

// faultyStore is the challenge store with injected faults.
type faultyStore struct {
	localstack.Store
	f      Faults
	window *windowFaults
}

// call runs do unless the fault is Before; after an After fault the work
// is done but the caller gets the error.
func call[T any](f Faults, op string, do func() (T, error)) (T, error) {
	var zero T
	fault, ferr := f.Decide(op)
	if fault == Before {
		return zero, ferr
	}
	v, err := do()
	if fault == After {
		return zero, ferr
	}
	return v, err
}

func none(err error) (struct{}, error) { return struct{}{}, err }

func (s faultyStore) PutChallenge(ctx context.Context, c otp.Challenge, ctrs []otp.Counter, claim otp.PointerClaim) error {
	_, err := call(s.f, "store.PutChallenge", func() (struct{}, error) {
		err := s.Store.PutChallenge(ctx, c, ctrs, claim)
		if err == nil && !c.Decoy {
			s.window.wrote(c.Phone)
		}
		return none(err)
	})
	return err
}

func (s faultyStore) GetChallenge(ctx context.Context, id string) (otp.Challenge, error) {
	return call(s.f, "store.GetChallenge", func() (otp.Challenge, error) { return s.Store.GetChallenge(ctx, id) })
}

func (s faultyStore) VoidChallenge(ctx context.Context, id string) error {
	_, err := call(s.f, "store.VoidChallenge", func() (struct{}, error) { return none(s.Store.VoidChallenge(ctx, id)) })
	return err
}

func (s faultyStore) CountAttempt(ctx context.Context, id string, now time.Time) (otp.Challenge, error) {
	return call(s.f, "store.CountAttempt", func() (otp.Challenge, error) { return s.Store.CountAttempt(ctx, id, now) })
}

func (s faultyStore) Consume(ctx context.Context, id, by string) error {
	_, err := call(s.f, "store.Consume", func() (struct{}, error) { return none(s.Store.Consume(ctx, id, by)) })
	return err
}

func (s faultyStore) GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error) {
	return call(s.f, "store.GetPointer", func() (otp.Pointer, error) { return s.Store.GetPointer(ctx, phone, clientID) })
}

func (s faultyStore) Claim(ctx context.Context, id, to string, now, staleBefore time.Time) (otp.Challenge, error) {
	s.window.claimed(id, to)
	return call(s.f, "store.Claim", func() (otp.Challenge, error) { return s.Store.Claim(ctx, id, to, now, staleBefore) })
}

func (s faultyStore) Record(ctx context.Context, id string, claimedAt time.Time, o otp.Outcome) error {
	_, err := call(s.f, "store.Record", func() (struct{}, error) { return none(s.Store.Record(ctx, id, claimedAt, o)) })
	if err != nil {
		s.window.addFor(id)
	}
	return err
}

// faultyQueue is the SMS queue with injected faults.
type faultyQueue struct {
	triggers.Queue
	f Faults
}

func (q faultyQueue) Enqueue(ctx context.Context, m schema.Message) error {
	_, err := call(q.f, "queue.Enqueue", func() (struct{}, error) { return none(q.Queue.Enqueue(ctx, m)) })
	return err
}

// faultyProvider is the SMS provider with injected faults; every SMS that
// really went out is handed to sent, whatever the worker was told.
type faultyProvider struct {
	providers.Provider
	f      Faults
	sent   func(to, body string)
	window *windowFaults
}

func (p faultyProvider) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	fault, ferr := p.f.Decide("provider.Send")
	if fault == Before {
		return providers.Receipt{}, ferr
	}
	r, err := p.Provider.Send(ctx, m)
	if err != nil {
		return r, err
	}
	p.sent(m.To, m.Body)
	if fault == After {
		p.window.add(m.To)
		return providers.Receipt{}, ferr
	}
	return r, nil
}

// delivered hands each SMS a simulated carrier delivered to sent: what
// reaches the phone. No fault here: the carrier's drops are its own.
type delivered struct {
	providers.Provider
	sent func(to, body string)
}

func (d delivered) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	r, err := d.Provider.Send(ctx, m)
	if err == nil {
		d.sent(m.To, m.Body)
	}
	return r, err
}

// wrappers put the faults between the stack and its parts.
func wrappers(f Faults, window *windowFaults, sent func(to, body string)) localstack.Wrappers {
	return localstack.Wrappers{
		Store: func(s localstack.Store) localstack.Store { return faultyStore{Store: s, f: f, window: window} },
		Queue: func(q triggers.Queue) triggers.Queue { return faultyQueue{Queue: q, f: f} },
		Provider: func(p providers.Provider) providers.Provider {
			return faultyProvider{Provider: p, f: f, sent: sent, window: window}
		},
	}
}
