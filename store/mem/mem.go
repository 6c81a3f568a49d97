// Package mem is an in-memory challenge store for the local stack and fast
// tests. Its semantics are the storetest suite's (storetest.Run and
// storetest.RunClaims), which it passes like every store. One mutex makes
// every operation atomic, which is what DynamoDB's conditional writes give.
package mem

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store"
)

// sweepEvery is how many writes pass between sweeps of expired items, so a
// long-running local stack does not grow without bound.
const sweepEvery = 1024

// pointerKey is a reuse pointer's identity: one per number and app client.
type pointerKey struct{ phone, clientID string }

// counterKey is a counter's identity: each window of each cap, per subject
// and shard, counts apart.
type counterKey struct {
	scope   otp.Scope
	window  time.Duration
	subject string
	start   int64 // window start, Unix seconds
	shard   int
}

func keyOf(c otp.Counter) counterKey {
	return counterKey{c.Cap.Scope, c.Cap.Window, c.Subject, c.WindowStart.Unix(), c.Shard}
}

type counter struct {
	count int
	ttl   time.Time
}

// Store is the in-memory challenge store.
type Store struct {
	now func() time.Time

	mu         sync.Mutex
	challenges map[string]otp.Challenge
	pointers   map[pointerKey]otp.Pointer
	counters   map[counterKey]counter
	writes     int
}

// New returns an empty store; now dates the placeholders VoidChallenge
// leaves and sweeps expired items.
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{
		now:        now,
		challenges: map[string]otp.Challenge{},
		pointers:   map[pointerKey]otp.Pointer{},
		counters:   map[counterKey]counter{},
	}
}

// PutChallenge: see storetest.Store (CapRefusesAndWritesNothing, PointerConditions).
func (s *Store) PutChallenge(ctx context.Context, c otp.Challenge, counters []otp.Counter, claim otp.PointerClaim) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put challenge %s: %w", c.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ptr := otp.PointerFor(c)
	pk := pointerKey{ptr.Phone, ptr.ClientID}
	if old, ok := s.pointers[pk]; ok && !claimable(old, c.ID, claim) {
		return fmt.Errorf("put challenge %s: %w", c.ID, otp.ErrPointerTaken)
	}
	var full []otp.Counter
	for _, ctr := range counters {
		if s.counters[keyOf(ctr)].count >= ctr.Max() {
			full = append(full, ctr)
		}
	}
	if len(full) > 0 {
		return &otp.LimitError{Counters: full}
	}
	if _, ok := s.challenges[c.ID]; ok {
		return fmt.Errorf("put challenge %s: %w", c.ID, otp.ErrExists)
	}
	for _, ctr := range counters {
		k := keyOf(ctr)
		s.counters[k] = counter{count: s.counters[k].count + 1, ttl: ctr.WindowEnd().Add(store.Retention)}
	}
	c.MAC = append([]byte(nil), c.MAC...)
	s.challenges[c.ID] = c
	s.pointers[pk] = ptr
	s.wrote()
	return nil
}

// claimable is the reuse pointer condition (otp.PointerClaim).
func claimable(old otp.Pointer, id string, claim otp.PointerClaim) bool {
	return old.CreatedAt.UnixMilli() <= claim.StaleBefore.UnixMilli() ||
		old.ChallengeID == id || (claim.PrevID != "" && old.ChallengeID == claim.PrevID)
}

// GetChallenge: see storetest.Store (PutGetRoundTrip, GetMissing).
func (s *Store) GetChallenge(ctx context.Context, id string) (otp.Challenge, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.challenges[id]
	if !ok {
		return otp.Challenge{}, fmt.Errorf("get challenge %s: %w", id, otp.ErrNotFound)
	}
	return c, nil
}

// VoidChallenge: see storetest.Store (VoidMissingLeavesPlaceholder) and
// store.Placeholder.
func (s *Store) VoidChallenge(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("void challenge %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.challenges[id]
	if !ok {
		s.challenges[id] = store.Placeholder(id, s.now())
		s.wrote()
		return nil
	}
	c.Voided = true
	s.challenges[id] = c
	return nil
}

// CountAttempt: see storetest.Store (CountAttemptUpToCap,
// CountAttemptRefusesDeadChallenges).
func (s *Store) CountAttempt(ctx context.Context, id string, now time.Time) (otp.Challenge, error) {
	if err := ctx.Err(); err != nil {
		return otp.Challenge{}, fmt.Errorf("count attempt on %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.challenges[id]
	// Compare at millisecond precision, as the DynamoDB layout stores it.
	if !ok || c.Attempts >= c.MaxAttempts || c.Consumed || c.Voided || c.ExpiresAt.UnixMilli() <= now.UnixMilli() {
		return otp.Challenge{}, fmt.Errorf("count attempt on %s: %w", id, otp.ErrNotAnswerable)
	}
	c.Attempts++
	s.challenges[id] = c
	return c, nil
}

// Consume: see storetest.Store (ConsumeOnce).
func (s *Store) Consume(ctx context.Context, id, by string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.challenges[id]
	if ok && c.Consumed && !c.Voided && by != "" && c.ConsumedBy == by {
		return nil // our own earlier consume: a retried Consume succeeds
	}
	if !ok || c.Consumed || c.Voided {
		return fmt.Errorf("consume %s: %w", id, otp.ErrAlreadyConsumed)
	}
	c.Consumed, c.ConsumedBy = true, by
	s.challenges[id] = c
	return nil
}

// Claim: see storetest.Claims.Claim.
func (s *Store) Claim(ctx context.Context, id, to string, now, staleBefore time.Time) (otp.Challenge, error) {
	if err := ctx.Err(); err != nil {
		return otp.Challenge{}, fmt.Errorf("claim delivery of %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.challenges[id]
	if !ok {
		return otp.Challenge{}, fmt.Errorf("claim delivery of %s: %w", id, otp.ErrNotDeliverable)
	}
	if err := c.ClaimRefusal(to, now, staleBefore); err != nil {
		return otp.Challenge{}, fmt.Errorf("claim delivery of %s: %w", id, err)
	}
	c.Delivery.State = otp.DeliverySending
	c.Delivery.At = time.UnixMilli(now.UnixMilli()).UTC() // as the DynamoDB layout stores it
	c.Delivery.Attempts++
	s.challenges[id] = c
	return c, nil
}

// ClaimResend: see storetest.Claims (resend) and dynamo.Store.ClaimResend.
func (s *Store) ClaimResend(ctx context.Context, id, to, prevProvider, prevID string, now time.Time, maxSends int) (otp.Challenge, error) {
	if err := ctx.Err(); err != nil {
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.challenges[id]
	if !ok {
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: %w", id, otp.ErrNotDeliverable)
	}
	if err := c.ResendRefusal(to, prevProvider, prevID, now, maxSends); err != nil {
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: %w", id, err)
	}
	c.Delivery.State = otp.DeliverySending
	c.Delivery.At = time.UnixMilli(now.UnixMilli()).UTC()
	c.Delivery.Attempts++
	s.challenges[id] = c
	return c, nil
}

// Record: see storetest.Claims.Record.
func (s *Store) Record(ctx context.Context, id string, claimedAt time.Time, o otp.Outcome) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("record delivery of %s: %w", id, err)
	}
	if err := o.Check(); err != nil {
		return fmt.Errorf("record delivery of %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.challenges[id]
	if c.Delivery.Recorded(claimedAt, o) {
		return nil
	}
	if !c.Delivery.Held(claimedAt) {
		return fmt.Errorf("record delivery of %s: %w", id, otp.ErrClaimLost)
	}
	c.Delivery = c.Delivery.With(o)
	s.challenges[id] = c
	return nil
}

// GetPointer: see storetest.Store (PointerConditions).
func (s *Store) GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pointers[pointerKey{phone, clientID}]
	if !ok {
		return otp.Pointer{}, fmt.Errorf("get reuse pointer: %w", otp.ErrNotFound)
	}
	return p, nil
}

// wrote counts a write and sweeps items past their retention now and then;
// the caller holds mu.
func (s *Store) wrote() {
	s.writes++
	if s.writes%sweepEvery != 0 {
		return
	}
	now := s.now()
	for k, c := range s.challenges {
		if now.After(c.ExpiresAt.Add(store.Retention)) {
			delete(s.challenges, k)
		}
	}
	for k, p := range s.pointers {
		if now.After(p.ExpiresAt.Add(store.Retention)) {
			delete(s.pointers, k)
		}
	}
	for k, c := range s.counters {
		if now.After(c.ttl) {
			delete(s.counters, k)
		}
	}
}
