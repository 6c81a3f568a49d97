// Package storetest is the conformance suite every challenge store passes:
// the semantics of caps, attempts, consumption and reuse pointers (Run),
// and of the SMS worker's delivery claim (RunClaims), are defined here once
// and checked against each implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// Store is the method set under test (the triggers declare the same one).
type Store interface {
	PutChallenge(ctx context.Context, c otp.Challenge, counters []otp.Counter, claim otp.PointerClaim) error
	GetChallenge(ctx context.Context, id string) (otp.Challenge, error)
	VoidChallenge(ctx context.Context, id string) error
	CountAttempt(ctx context.Context, id string, now time.Time) (otp.Challenge, error)
	Consume(ctx context.Context, id, by string) error
	GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error)
}

// Run runs the suite; newStore returns an empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"PutGetRoundTrip", testPutGet},
		{"PutDuplicateID", testPutDuplicate},
		{"GetMissing", testGetMissing},
		{"CapRefusesAndWritesNothing", testCap},
		{"ShardedCapPerShard", testShardedCap},
		{"CountAttemptUpToCap", testCountAttempt},
		{"CountAttemptRefusesDeadChallenges", testCountAttemptDead},
		{"ConsumeOnce", testConsumeOnce},
		{"VoidMissingLeavesPlaceholder", testVoidMissing},
		{"VoidKeepsTheChallenge", testVoidKeeps},
		{"PointerConditions", testPointer},
		{"PointerByPoolSpelling", testPointerPoolSpelling},
		{"ConcurrentWrongAnswersNeverPassCap", testConcurrentAttempts},
		{"ConcurrentConsumeExactlyOneWins", testConcurrentConsume},
		{"ConcurrentCapNeverExceeded", testConcurrentCap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

var (
	ctx  = context.Background()
	base = time.Now().UTC().Truncate(time.Millisecond)
	seq  atomic.Int64
	// anyPointer lets a challenge take the reuse pointer whatever it holds,
	// for tests about other things.
	anyPointer = otp.PointerClaim{StaleBefore: base.Add(time.Hour)}
)

func challenge(t *testing.T, mut ...func(*otp.Challenge)) otp.Challenge {
	t.Helper()
	id, err := otp.NewID(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := otp.Challenge{
		ID:          id,
		Phone:       fmt.Sprintf("+1415555%04d", seq.Add(1)%10000),
		Country:     "US",
		ClientID:    "client1",
		KeyID:       "0123456789ab",
		MAC:         []byte("0123456789abcdef0123456789abcdef"),
		Locale:      "en",
		CreatedAt:   base,
		ExpiresAt:   base.Add(3 * time.Minute),
		MaxAttempts: 3,
	}
	for _, m := range mut {
		m(&c)
	}
	return c
}

func put(t *testing.T, s Store, c otp.Challenge, ctrs ...otp.Counter) {
	t.Helper()
	if err := s.PutChallenge(ctx, c, ctrs, anyPointer); err != nil {
		t.Fatalf("PutChallenge: %v", err)
	}
}

func testPutGet(t *testing.T, s Store) {
	c := challenge(t)
	put(t, s, c)
	got, err := s.GetChallenge(ctx, c.ID)
	if err != nil {
		t.Fatalf("GetChallenge: %v", err)
	}
	if d := cmp.Diff(c, got); d != "" {
		t.Errorf("round trip (-put +got):\n%s", d)
	}
}

func testPutDuplicate(t *testing.T, s Store) {
	c := challenge(t)
	put(t, s, c)
	if err := s.PutChallenge(ctx, c, nil, anyPointer); !errors.Is(err, otp.ErrExists) {
		t.Errorf("second PutChallenge = %v, want ErrExists", err)
	}
}

func testGetMissing(t *testing.T, s Store) {
	if _, err := s.GetChallenge(ctx, "00000000000000000000000000000000"); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("GetChallenge = %v, want ErrNotFound", err)
	}
	if _, err := s.GetPointer(ctx, "+14155550000", "nobody"); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("GetPointer = %v, want ErrNotFound", err)
	}
}

func counters(phone string, maxPhone, maxGlobal int) []otp.Counter {
	caps := []otp.Cap{
		{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: maxPhone},
		{Scope: otp.ScopeGlobal, Window: time.Hour, Max: maxGlobal},
	}
	return otp.Counters(caps, phone, "US", base, func(int) int { return 0 })
}

func testCap(t *testing.T, s Store) {
	phone := challenge(t).Phone
	// A global cap unique to this test run, so shared tables do not interfere.
	ctrs := counters(phone, 2, 1000)
	ctrs[1].Subject = "" // global
	ctrs[1].Shard = int(seq.Add(1) % 50)
	ctrs[1].Cap.Shards = 100
	for range 2 {
		put(t, s, challenge(t, func(c *otp.Challenge) { c.Phone = phone }), ctrs...)
	}
	refused := challenge(t, func(c *otp.Challenge) { c.Phone = phone })
	err := s.PutChallenge(ctx, refused, ctrs, anyPointer)
	var le *otp.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("third PutChallenge = %v, want *otp.LimitError", err)
	}
	if len(le.Counters) != 1 || le.Counters[0].Cap.Scope != otp.ScopePhone {
		t.Errorf("full counters = %+v, want the phone counter only", le.Counters)
	}
	if _, err := s.GetChallenge(ctx, refused.ID); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("refused challenge was stored: GetChallenge = %v", err)
	}
	// Nothing of the refused write landed: the global shard counted 2, so
	// with a max of 3 on it exactly one more passes.
	ctrs[1].Cap.Max, ctrs[1].Cap.Shards = 3, 1
	other := challenge(t)
	if err := s.PutChallenge(ctx, other, ctrs[1:], anyPointer); err != nil {
		t.Fatalf("global counter took the refused increment: %v", err)
	}
	if err := s.PutChallenge(ctx, challenge(t), ctrs[1:], anyPointer); !errors.As(err, &le) || le.Counters[0].Cap.Scope != otp.ScopeGlobal {
		t.Errorf("fourth on global = %v, want global LimitError", err)
	}
	// With both full, both are reported, so a caller can say when both
	// have room again.
	err = s.PutChallenge(ctx, challenge(t, func(c *otp.Challenge) { c.Phone = phone }), ctrs, anyPointer)
	if !errors.As(err, &le) || len(le.Counters) != 2 {
		t.Errorf("both full: %v, want a LimitError naming both counters", err)
	}
}

func testShardedCap(t *testing.T, s Store) {
	cap := otp.Cap{Scope: otp.ScopeCountry, Window: time.Hour, Max: 4, Shards: 2}
	country := fmt.Sprintf("Z%d", seq.Add(1)) // unique subject per run
	for shard := range 2 {
		ctr := otp.Counters([]otp.Cap{cap}, "", country, base, func(int) int { return shard })
		for range 2 {
			put(t, s, challenge(t), ctr...)
		}
		var le *otp.LimitError
		if err := s.PutChallenge(ctx, challenge(t), ctr, anyPointer); !errors.As(err, &le) {
			t.Errorf("shard %d third = %v, want LimitError (each shard allows max/shards)", shard, err)
		}
	}
}

func testCountAttempt(t *testing.T, s Store) {
	c := challenge(t)
	put(t, s, c)
	for i := 1; i <= c.MaxAttempts; i++ {
		got, err := s.CountAttempt(ctx, c.ID, base)
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if got.Attempts != i {
			t.Errorf("attempt %d: Attempts = %d", i, got.Attempts)
		}
		if !cmp.Equal(got.MAC, c.MAC) || got.KeyID != c.KeyID {
			t.Errorf("attempt %d: returned item lacks MAC/key id", i)
		}
	}
	if _, err := s.CountAttempt(ctx, c.ID, base); !errors.Is(err, otp.ErrNotAnswerable) {
		t.Errorf("attempt past cap = %v, want ErrNotAnswerable", err)
	}
	got, _ := s.GetChallenge(ctx, c.ID)
	if got.Attempts != c.MaxAttempts {
		t.Errorf("Attempts after refusal = %d, want %d", got.Attempts, c.MaxAttempts)
	}
}

func testCountAttemptDead(t *testing.T, s Store) {
	expired := challenge(t)
	consumed := challenge(t)
	voided := challenge(t)
	for _, c := range []otp.Challenge{expired, consumed, voided} {
		put(t, s, c)
	}
	if err := s.Consume(ctx, consumed.ID, "v1"); err != nil {
		t.Fatal(err)
	}
	if err := s.VoidChallenge(ctx, voided.ID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		id   string
		now  time.Time
	}{
		{"expired exactly at expiry", expired.ID, expired.ExpiresAt},
		{"expired after", expired.ID, expired.ExpiresAt.Add(time.Second)},
		{"consumed", consumed.ID, base},
		{"voided", voided.ID, base},
		{"missing", "ffffffffffffffffffffffffffffffff", base},
	}
	for _, tc := range cases {
		if _, err := s.CountAttempt(ctx, tc.id, tc.now); !errors.Is(err, otp.ErrNotAnswerable) {
			t.Errorf("%s: CountAttempt = %v, want ErrNotAnswerable", tc.name, err)
		}
	}
	if got, _ := s.GetChallenge(ctx, expired.ID); got.Attempts != 0 {
		t.Errorf("refused attempt was counted: %d", got.Attempts)
	}
	if _, err := s.CountAttempt(ctx, expired.ID, expired.ExpiresAt.Add(-time.Millisecond)); err != nil {
		t.Errorf("1ms before expiry: %v", err)
	}
}

func testConsumeOnce(t *testing.T, s Store) {
	c := challenge(t)
	put(t, s, c)
	if err := s.Consume(ctx, c.ID, "verify-1"); err != nil {
		t.Fatalf("first Consume: %v", err)
	}
	if err := s.Consume(ctx, c.ID, "verify-2"); !errors.Is(err, otp.ErrAlreadyConsumed) {
		t.Errorf("a rival's Consume = %v, want ErrAlreadyConsumed", err)
	}
	// The same invocation again (the SDK retried a write whose response was
	// lost) is told its own consume succeeded.
	if err := s.Consume(ctx, c.ID, "verify-1"); err != nil {
		t.Errorf("repeated Consume by the winner = %v, want nil", err)
	}
	got, _ := s.GetChallenge(ctx, c.ID)
	if !got.Consumed || got.ConsumedBy != "verify-1" || got.Live(base) {
		t.Errorf("consumed challenge: %+v", got)
	}
	voided := challenge(t)
	put(t, s, voided)
	if err := s.VoidChallenge(ctx, voided.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Consume(ctx, voided.ID, "verify-3"); !errors.Is(err, otp.ErrAlreadyConsumed) {
		t.Errorf("Consume(voided) = %v, want ErrAlreadyConsumed", err)
	}
}

// A void that finds no challenge leaves a placeholder (store.Placeholder):
// Create gave up on a write that may still land, and the placeholder makes
// that write fail whole when it does. The placeholder is never answerable,
// consumable or reusable, and the late write moves neither the reuse
// pointer nor a counter.
func testVoidMissing(t *testing.T, s Store) {
	late := challenge(t)
	ctrs := counters(late.Phone, 1, 1<<20)
	before := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.VoidChallenge(ctx, late.ID); err != nil {
		t.Fatalf("VoidChallenge(missing) = %v, want nil (a placeholder)", err)
	}
	// Again, as the SDK's retry of a void whose answer was lost would.
	if err := s.VoidChallenge(ctx, late.ID); err != nil {
		t.Fatalf("VoidChallenge(placeholder) = %v, want nil", err)
	}
	ph := checkPlaceholder(t, s, late.ID, before)
	if err := s.PutChallenge(ctx, late, ctrs, anyPointer); !errors.Is(err, otp.ErrExists) {
		t.Errorf("the late write after the void = %v, want ErrExists", err)
	}
	if got, _ := s.GetChallenge(ctx, late.ID); !cmp.Equal(got, ph) {
		t.Errorf("the late write changed the placeholder: %+v", got)
	}
	if _, err := s.GetPointer(ctx, late.Phone, late.ClientID); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("the refused late write took the reuse pointer: %v", err)
	}
	// The per-number counter allows one: the refused write must not have used it.
	if err := s.PutChallenge(ctx, challenge(t, func(c *otp.Challenge) { c.Phone = late.Phone }), ctrs, anyPointer); err != nil {
		t.Errorf("the next code after the refused late write: %v (did the late write count?)", err)
	}
	if _, err := s.CountAttempt(ctx, late.ID, base); !errors.Is(err, otp.ErrNotAnswerable) {
		t.Errorf("CountAttempt(placeholder) = %v, want ErrNotAnswerable", err)
	}
	if err := s.Consume(ctx, late.ID, "verify-1"); !errors.Is(err, otp.ErrAlreadyConsumed) {
		t.Errorf("Consume(placeholder) = %v, want ErrAlreadyConsumed", err)
	}
}

// checkPlaceholder: id holds the placeholder of a void at or after before,
// dead whenever it is read, and returns it.
func checkPlaceholder(t *testing.T, s Store, id string, before time.Time) otp.Challenge {
	t.Helper()
	got, err := s.GetChallenge(ctx, id)
	if err != nil {
		t.Fatalf("GetChallenge(placeholder): %v", err)
	}
	after := time.Now()
	if got.CreatedAt.Before(before) || got.CreatedAt.After(after) || !got.ExpiresAt.Equal(got.CreatedAt) {
		t.Errorf("placeholder dated %v, expiring %v; want the void's time, in [%v, %v]", got.CreatedAt, got.ExpiresAt, before, after)
	}
	want := otp.Challenge{ID: id, CreatedAt: got.CreatedAt, ExpiresAt: got.CreatedAt, Voided: true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("placeholder (-want +got):\n%s", d)
	}
	if got.Live(before) || got.AttemptsLeft() != 0 {
		t.Errorf("placeholder is live or answerable: %+v", got)
	}
	return got
}

// A void of a stored challenge keeps every field and sets voided.
func testVoidKeeps(t *testing.T, s Store) {
	c := challenge(t)
	put(t, s, c)
	if err := s.VoidChallenge(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetChallenge(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.Voided = true
	if d := cmp.Diff(c, got); d != "" {
		t.Errorf("voided challenge (-want +got):\n%s", d)
	}
}

func testPointer(t *testing.T, s Store) {
	phone := challenge(t).Phone
	at := func(created time.Time) otp.Challenge {
		return challenge(t, func(c *otp.Challenge) {
			c.Phone, c.ClientID, c.CreatedAt, c.ExpiresAt = phone, "c1", created, created.Add(3*time.Minute)
		})
	}
	cooldown := 30 * time.Second
	claim := func(prev string, now time.Time) otp.PointerClaim {
		return otp.PointerClaim{PrevID: prev, StaleBefore: now.Add(-cooldown)}
	}
	first := at(base)
	if err := s.PutChallenge(ctx, first, nil, claim("", base)); err != nil {
		t.Fatalf("first challenge: %v", err)
	}
	got, err := s.GetPointer(ctx, phone, "c1")
	if err != nil || !cmp.Equal(got, otp.PointerFor(first)) {
		t.Fatalf("GetPointer = %+v, %v; want %+v", got, err, otp.PointerFor(first))
	}
	now := base.Add(time.Second)
	rival := at(now)
	for _, prev := range []string{"", "other"} {
		err := s.PutChallenge(ctx, rival, nil, claim(prev, now))
		if !errors.Is(err, otp.ErrPointerTaken) {
			t.Errorf("over a fresh pointer (prev %q) = %v, want ErrPointerTaken", prev, err)
		}
		if _, err := s.GetChallenge(ctx, rival.ID); !errors.Is(err, otp.ErrNotFound) {
			t.Errorf("a challenge that lost the pointer was stored")
		}
	}
	// A pointer the caller read (say, to a consumed challenge) can be replaced.
	if err := s.PutChallenge(ctx, rival, nil, claim(first.ID, now)); err != nil {
		t.Errorf("naming the current id: %v", err)
	}
	// After the cooldown anyone may take it.
	later := now.Add(cooldown)
	third := at(later)
	if err := s.PutChallenge(ctx, third, nil, claim("", later)); err != nil {
		t.Errorf("over a stale pointer: %v", err)
	}
	if got, _ := s.GetPointer(ctx, phone, "c1"); got.ChallengeID != third.ID {
		t.Errorf("pointer = %s, want %s", got.ChallengeID, third.ID)
	}
	if _, err := s.GetPointer(ctx, phone, "c2"); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("pointer is per app client: GetPointer(c2) = %v", err)
	}
	// Pointer first: a taken pointer is reported even when counters are full,
	// because the winner's challenge is the one to answer.
	full := otp.Counters([]otp.Cap{{Scope: otp.ScopePhone, Window: time.Hour, Max: 1}}, phone, "US", base, nil)
	put(t, s, challenge(t), full...)
	if err := s.PutChallenge(ctx, at(later), full, claim("", later)); !errors.Is(err, otp.ErrPointerTaken) {
		t.Errorf("taken pointer and full counter = %v, want ErrPointerTaken", err)
	}
}

// A challenge for an account whose number the pool holds in another
// spelling keeps that spelling, and its reuse pointer is keyed by it.
func testPointerPoolSpelling(t *testing.T, s Store) {
	c := challenge(t, func(c *otp.Challenge) { c.PoolPhone = "+1 " + c.Phone[2:] })
	put(t, s, c)
	got, err := s.GetChallenge(ctx, c.ID)
	if err != nil || got.PoolPhone != c.PoolPhone || got.PointerPhone() != c.PoolPhone {
		t.Errorf("GetChallenge = PoolPhone %q, %v; want %q", got.PoolPhone, err, c.PoolPhone)
	}
	if p, err := s.GetPointer(ctx, c.PoolPhone, c.ClientID); err != nil || p.ChallengeID != c.ID {
		t.Errorf("GetPointer(pool spelling) = %+v, %v; want challenge %s", p, err, c.ID)
	}
	if _, err := s.GetPointer(ctx, c.Phone, c.ClientID); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("GetPointer(E.164) = %v, want ErrNotFound", err)
	}
}

// 50 concurrent answers: exactly MaxAttempts are counted, whatever the order.
func testConcurrentAttempts(t *testing.T, s Store) {
	c := challenge(t)
	put(t, s, c)
	ok, refused := race(t, "CountAttempt", 50, func() error {
		_, err := s.CountAttempt(ctx, c.ID, base)
		return err
	}, otp.ErrNotAnswerable)
	if ok != int64(c.MaxAttempts) || refused != 50-int64(c.MaxAttempts) {
		t.Errorf("counted %d, refused %d; want %d and %d", ok, refused, c.MaxAttempts, 50-c.MaxAttempts)
	}
	if got, _ := s.GetChallenge(ctx, c.ID); got.Attempts != c.MaxAttempts {
		t.Errorf("stored attempts = %d, want %d", got.Attempts, c.MaxAttempts)
	}
}

func testConcurrentConsume(t *testing.T, s Store) {
	c := challenge(t)
	put(t, s, c)
	won, _ := race(t, "Consume", 20, func() error {
		return s.Consume(ctx, c.ID, fmt.Sprintf("verify-%d", seq.Add(1)))
	}, otp.ErrAlreadyConsumed)
	if won != 1 {
		t.Errorf("%d concurrent consumes won, want exactly 1", won)
	}
}

func testConcurrentCap(t *testing.T, s Store) {
	phone := challenge(t).Phone
	ctrs := otp.Counters([]otp.Cap{{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: 5}}, phone, "US", base, nil)
	ok, _ := race(t, "PutChallenge", 20, func() error {
		err := s.PutChallenge(ctx, challenge(t), ctrs, anyPointer)
		var le *otp.LimitError
		if errors.As(err, &le) {
			return errCapped
		}
		return err
	}, errCapped)
	if ok != 5 {
		t.Errorf("%d codes passed a cap of 5", ok)
	}
}

// errCapped stands for any *otp.LimitError in a race.
var errCapped = errors.New("capped")

// race makes n calls at once and counts those that succeed and those
// refused with an error that is refusal; any other error fails the test.
func race(t *testing.T, name string, n int, call func() error, refusal error) (won, refused int64) {
	var w, r atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			switch err := call(); {
			case err == nil:
				w.Add(1)
			case errors.Is(err, refusal):
				r.Add(1)
			default:
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	wg.Wait()
	return w.Load(), r.Load()
}
