package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// Claims is a store that also holds the SMS worker's delivery claim (the
// worker declares the same two methods). The doc comments below are the
// semantics RunClaims checks.
type Claims interface {
	Store

	// Claim takes the delivery of challenge id for one send attempt, if and
	// only if the challenge exists, is not voided, not consumed, not a decoy,
	// its Phone == to, it has not expired at now (expiresAt > now, ms
	// precision), and its delivery state is none (never picked up) or
	// failed-retryable, or sending with deliveryAt < staleBefore (a worker
	// died mid-send). It sets delivery=sending, deliveryAt=now (ms), adds 1
	// to deliveryAttempts, leaves every other field (the provider of an
	// earlier attempt included) as it was, and returns the challenge as
	// updated.
	//
	// Otherwise nothing changes and the error wraps, checked in this order:
	// otp.ErrNotDeliverable when the challenge is missing, a decoy or for
	// another number; otp.ErrDelivered when it was sent or failed for good
	// (even if since consumed or expired); otp.ErrNotDeliverable when it is
	// voided, consumed, expired or in an unknown delivery state;
	// otp.ErrClaimTaken when another worker holds a fresh claim.
	Claim(ctx context.Context, id, to string, now, staleBefore time.Time) (otp.Challenge, error)

	// Record sets outcome o of the claim taken at claimedAt: o.State is
	// sent, failed-retryable or failed-permanent (anything else is an
	// error, and nothing changes: otp.Outcome.Check); o.Provider and
	// o.ProviderID are stored (may be empty); deliveryAt stays the claim's
	// time. o.Uncount also subtracts the attempt the claim added (for a
	// send that never happened because our own rate limit deferred it).
	// Only the holder can record: the condition is delivery=sending AND
	// deliveryAt=claimedAt (ms, otp.Delivery.Held); otherwise the error
	// wraps otp.ErrClaimLost. Repeating a Record that took effect (same
	// claimedAt, state, provider and provider id: the SDK retried a write
	// whose response was lost; otp.Delivery.Recorded) reports success and
	// changes nothing.
	Record(ctx context.Context, id string, claimedAt time.Time, o otp.Outcome) error
}

// RunClaims runs the delivery-claim suite; newStore returns an empty store
// for each subtest.
func RunClaims(t *testing.T, newStore func(t *testing.T) Claims) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Claims)
	}{
		{"ClaimFresh", testClaimFresh},
		{"ClaimHeldUntilStale", testClaimStale},
		{"RecordOutcomes", testRecordOutcomes},
		{"RecordOnlyByHolder", testRecordHolder},
		{"RecordRepeatIsIdempotent", testRecordRepeat},
		{"RecordRejectsNonOutcomes", testRecordInvalid},
		{"UncountSubtractsTheClaim", testUncount},
		{"NotDeliverable", testNotDeliverable},
		{"RefusalPrecedence", testRefusalPrecedence},
		{"DeliveryRoundTrip", testDeliveryRoundTrip},
		{"ClaimLeavesVerificationAlone", testClaimAndVerify},
		{"ConcurrentClaimsExactlyOneWins", testConcurrentClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// staleAfter is the claim lifetime the tests use: a claim made at t is
// stale for a Claim whose staleBefore is after t.
const staleAfter = 30 * time.Second

func claimAt(t *testing.T, s Claims, c otp.Challenge, now time.Time) otp.Challenge {
	t.Helper()
	got, err := s.Claim(ctx, c.ID, c.Phone, now, now.Add(-staleAfter))
	if err != nil {
		t.Fatalf("Claim at %v: %v", now, err)
	}
	return got
}

func get(t *testing.T, s Claims, id string) otp.Challenge {
	t.Helper()
	got, err := s.GetChallenge(ctx, id)
	if err != nil {
		t.Fatalf("GetChallenge: %v", err)
	}
	return got
}

// unchanged checks that the stored challenge still equals want.
func unchanged(t *testing.T, s Claims, want otp.Challenge, what string) {
	t.Helper()
	if d := cmp.Diff(want, get(t, s, want.ID)); d != "" {
		t.Errorf("%s changed the challenge (-before +after):\n%s", what, d)
	}
}

func testClaimFresh(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	now := base.Add(time.Second)
	got := claimAt(t, s, c, now)
	want := c
	want.Delivery = otp.Delivery{State: otp.DeliverySending, At: now, Attempts: 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("claimed challenge (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, get(t, s, c.ID)); d != "" {
		t.Errorf("stored after claim (-want +got):\n%s", d)
	}
}

func testClaimStale(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	first := base.Add(time.Second)
	held := claimAt(t, s, c, first)

	cases := []struct {
		name        string
		now, before time.Time
	}{
		{"same instant", first, first.Add(-staleAfter)},
		{"a second later", first.Add(time.Second), first.Add(time.Second - staleAfter)},
		{"staleBefore equal to the claim", first.Add(staleAfter), first},
	}
	for _, tc := range cases {
		if _, err := s.Claim(ctx, c.ID, c.Phone, tc.now, tc.before); !errors.Is(err, otp.ErrClaimTaken) {
			t.Errorf("%s: Claim over a fresh claim = %v, want ErrClaimTaken", tc.name, err)
		}
	}
	unchanged(t, s, held, "a refused claim")

	// One millisecond past the claim, it is stale and another worker takes it.
	retake := first.Add(staleAfter + time.Millisecond)
	got, err := s.Claim(ctx, c.ID, c.Phone, retake, first.Add(time.Millisecond))
	if err != nil {
		t.Fatalf("Claim over a stale claim: %v", err)
	}
	want := c
	want.Delivery = otp.Delivery{State: otp.DeliverySending, At: retake, Attempts: 2}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("retaken claim (-want +got):\n%s", d)
	}
}

func testRecordOutcomes(t *testing.T, s Claims) {
	cases := []struct {
		state       otp.DeliveryState
		provider    string
		providerID  string
		claimAgain  error // nil: a later Claim succeeds
		attemptsNow int   // after the later Claim, when it succeeds
	}{
		{otp.DeliverySent, "twilio", "SM0123456789abcdef", otp.ErrDelivered, 0},
		{otp.DeliveryFailedPermanent, "sns", "", otp.ErrDelivered, 0},
		{otp.DeliveryFailedRetryable, "twilio", "", nil, 2},
		{otp.DeliveryFailedRetryable, "", "", nil, 2},
	}
	for _, tc := range cases {
		c := challenge(t)
		put(t, s, c)
		claimed := base.Add(time.Second)
		claimAt(t, s, c, claimed)
		if err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: tc.state, Provider: tc.provider, ProviderID: tc.providerID}); err != nil {
			t.Fatalf("%s: Record: %v", tc.state, err)
		}
		want := c
		want.Delivery = otp.Delivery{State: tc.state, At: claimed, Attempts: 1, Provider: tc.provider, ProviderID: tc.providerID}
		if tc.state == otp.DeliverySent {
			want.Delivery.Via = []string{tc.provider} // who carried an SMS of it
		}
		if d := cmp.Diff(want, get(t, s, c.ID)); d != "" {
			t.Errorf("%s: stored after Record (-want +got):\n%s", tc.state, d)
		}
		// Even long after the claim (no claim is held any more).
		later := claimed.Add(time.Minute)
		got, err := s.Claim(ctx, c.ID, c.Phone, later, later.Add(-staleAfter))
		if tc.claimAgain != nil {
			if !errors.Is(err, tc.claimAgain) {
				t.Errorf("%s: Claim after Record = %v, want %v", tc.state, err, tc.claimAgain)
			}
			unchanged(t, s, want, "a refused claim")
			continue
		}
		if err != nil {
			t.Fatalf("%s: Claim after Record: %v", tc.state, err)
		}
		// The claim leaves the last attempt's provider in place.
		want.Delivery = otp.Delivery{State: otp.DeliverySending, At: later, Attempts: tc.attemptsNow, Provider: tc.provider, ProviderID: tc.providerID}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: claimed again (-want +got):\n%s", tc.state, d)
		}
	}
}

func testRecordHolder(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	// Never claimed: nobody holds it.
	if err := s.Record(ctx, c.ID, base, otp.Outcome{State: otp.DeliverySent, Provider: "sns", ProviderID: "m1"}); !errors.Is(err, otp.ErrClaimLost) {
		t.Errorf("Record on an unclaimed challenge = %v, want ErrClaimLost", err)
	}
	if err := s.Record(ctx, "dddddddddddddddddddddddddddddddd", base, otp.Outcome{State: otp.DeliverySent, Provider: "sns", ProviderID: "m1"}); !errors.Is(err, otp.ErrClaimLost) {
		t.Errorf("Record on a missing challenge = %v, want ErrClaimLost", err)
	}
	unchanged(t, s, c, "Record without a claim")

	first := base.Add(time.Second)
	claimAt(t, s, c, first)
	if err := s.Record(ctx, c.ID, first.Add(time.Millisecond), otp.Outcome{State: otp.DeliverySent, Provider: "sns", ProviderID: "m1"}); !errors.Is(err, otp.ErrClaimLost) {
		t.Errorf("Record naming another claim time = %v, want ErrClaimLost", err)
	}
	// The first worker stalls; its claim goes stale and a second takes it.
	second := first.Add(staleAfter + time.Second)
	held := claimAt(t, s, c, second)
	for _, state := range []otp.DeliveryState{otp.DeliverySent, otp.DeliveryFailedRetryable, otp.DeliveryFailedPermanent} {
		if err := s.Record(ctx, c.ID, first, otp.Outcome{State: state, Provider: "sns", ProviderID: "m1", Uncount: true}); !errors.Is(err, otp.ErrClaimLost) {
			t.Errorf("stale holder's Record(%s) = %v, want ErrClaimLost", state, err)
		}
	}
	unchanged(t, s, held, "a stale holder's Record")
	if err := s.Record(ctx, c.ID, second, otp.Outcome{State: otp.DeliverySent, Provider: "twilio", ProviderID: "SM2"}); err != nil {
		t.Fatalf("current holder's Record: %v", err)
	}
	if err := s.Record(ctx, c.ID, first, otp.Outcome{State: otp.DeliverySent, Provider: "sns", ProviderID: "m1"}); !errors.Is(err, otp.ErrClaimLost) {
		t.Errorf("stale holder's Record after the outcome = %v, want ErrClaimLost", err)
	}
	if got := get(t, s, c.ID).Delivery; got.Provider != "twilio" || got.ProviderID != "SM2" || got.Attempts != 2 {
		t.Errorf("delivery = %+v, want the second holder's outcome after 2 attempts", got)
	}
}

func testRecordRepeat(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	claimed := base.Add(time.Second)
	claimAt(t, s, c, claimed)
	if err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: otp.DeliveryFailedRetryable, Provider: "sns", ProviderID: "m1", Uncount: true}); err != nil {
		t.Fatalf("Record: %v", err)
	}
	after := get(t, s, c.ID)
	if err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: otp.DeliveryFailedRetryable, Provider: "sns", ProviderID: "m1", Uncount: true}); err != nil {
		t.Errorf("the same Record again = %v, want nil", err)
	}
	unchanged(t, s, after, "a repeated Record") // uncounted once, not twice
	for _, other := range []struct {
		state                otp.DeliveryState
		provider, providerID string
	}{
		{otp.DeliverySent, "sns", "m1"},
		{otp.DeliveryFailedRetryable, "twilio", "m1"},
		{otp.DeliveryFailedRetryable, "sns", "m2"},
	} {
		if err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: other.state, Provider: other.provider, ProviderID: other.providerID}); !errors.Is(err, otp.ErrClaimLost) {
			t.Errorf("a different outcome after Record (%+v) = %v, want ErrClaimLost", other, err)
		}
	}
	unchanged(t, s, after, "a different outcome after Record")
}

func testRecordInvalid(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	claimed := base.Add(time.Second)
	held := claimAt(t, s, c, claimed)
	for _, state := range []otp.DeliveryState{otp.DeliveryNone, otp.DeliverySending, otp.DeliveryUnknown, otp.DeliveryState(99)} {
		err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: state, Provider: "sns"})
		if err == nil || errors.Is(err, otp.ErrClaimLost) {
			t.Errorf("Record(%s) = %v, want an invalid-outcome error", state, err)
		}
	}
	unchanged(t, s, held, "an invalid Record")
}

func testUncount(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	claimed := base.Add(time.Second)
	claimAt(t, s, c, claimed)
	// Our own rate limit deferred the send: release the claim without
	// counting it.
	if err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: otp.DeliveryFailedRetryable, Uncount: true}); err != nil {
		t.Fatalf("Record uncount: %v", err)
	}
	want := c
	want.Delivery = otp.Delivery{State: otp.DeliveryFailedRetryable, At: claimed}
	if d := cmp.Diff(want, get(t, s, c.ID)); d != "" {
		t.Errorf("after uncount (-want +got):\n%s", d)
	}
	again := claimed.Add(time.Second)
	if got := claimAt(t, s, c, again); got.Delivery.Attempts != 1 {
		t.Errorf("attempts after an uncounted claim and a new one = %d, want 1", got.Delivery.Attempts)
	}
	if err := s.Record(ctx, c.ID, again, otp.Outcome{State: otp.DeliverySent, Provider: "sns", ProviderID: "m1"}); err != nil {
		t.Fatalf("Record sent: %v", err)
	}
	if got := get(t, s, c.ID).Delivery.Attempts; got != 1 {
		t.Errorf("attempts after a counted send = %d, want 1", got)
	}
}

func testNotDeliverable(t *testing.T, s Claims) {
	now := base.Add(time.Second)
	voided, consumed, decoy, live := challenge(t), challenge(t), challenge(t, func(c *otp.Challenge) { c.Decoy = true }), challenge(t)
	for _, c := range []otp.Challenge{voided, consumed, decoy, live} {
		put(t, s, c)
	}
	if err := s.VoidChallenge(ctx, voided.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Consume(ctx, consumed.ID, "verify-1"); err != nil {
		t.Fatal(err)
	}
	placeholder := challenge(t) // voided before it was ever stored
	if err := s.VoidChallenge(ctx, placeholder.ID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		id   string
		to   string
		now  time.Time
	}{
		{"voided", voided.ID, voided.Phone, now},
		{"placeholder of a void", placeholder.ID, placeholder.Phone, now},
		{"consumed", consumed.ID, consumed.Phone, now},
		{"decoy", decoy.ID, decoy.Phone, now},
		{"another number", live.ID, "+14155559999", now},
		{"empty number", live.ID, "", now},
		{"expired exactly at expiry", live.ID, live.Phone, live.ExpiresAt},
		{"expired after", live.ID, live.Phone, live.ExpiresAt.Add(time.Second)},
		{"missing", "cccccccccccccccccccccccccccccccc", live.Phone, now},
	}
	for _, tc := range cases {
		_, err := s.Claim(ctx, tc.id, tc.to, tc.now, tc.now.Add(-staleAfter))
		if !errors.Is(err, otp.ErrNotDeliverable) {
			t.Errorf("%s: Claim = %v, want ErrNotDeliverable", tc.name, err)
		}
	}
	for _, c := range []otp.Challenge{decoy, live} {
		unchanged(t, s, c, "a refused claim")
	}
	if err := s.Record(ctx, placeholder.ID, now, otp.Sent("sns", "m1")); !errors.Is(err, otp.ErrClaimLost) {
		t.Errorf("Record on a placeholder = %v, want ErrClaimLost", err)
	}
	if _, err := s.GetChallenge(ctx, "cccccccccccccccccccccccccccccccc"); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("a refused claim created the missing challenge: %v", err)
	}
	if _, err := s.Claim(ctx, live.ID, live.Phone, live.ExpiresAt.Add(-time.Millisecond), base); err != nil {
		t.Errorf("1ms before expiry: %v", err)
	}
}

// When several reasons hold, the error names the one the worker acts on.
func testRefusalPrecedence(t *testing.T, s Claims) {
	claimed := base.Add(time.Second)
	sent := func(c otp.Challenge) {
		claimAt(t, s, c, claimed)
		if err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: otp.DeliverySent, Provider: "sns", ProviderID: "m1"}); err != nil {
			t.Fatal(err)
		}
	}
	sentConsumed, sentOther, sentExpired, sendingVoided, sendingConsumed := challenge(t), challenge(t), challenge(t), challenge(t), challenge(t)
	sentDecoy := challenge(t, func(c *otp.Challenge) {
		c.Decoy = true
		c.Delivery = otp.Delivery{State: otp.DeliverySent, At: claimed, Attempts: 1}
	})
	for _, c := range []otp.Challenge{sentConsumed, sentOther, sentExpired, sendingVoided, sendingConsumed, sentDecoy} {
		put(t, s, c)
	}
	sent(sentConsumed)
	sent(sentOther)
	sent(sentExpired)
	claimAt(t, s, sendingVoided, claimed)
	claimAt(t, s, sendingConsumed, claimed)
	if err := s.Consume(ctx, sentConsumed.ID, "verify-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Consume(ctx, sendingConsumed.ID, "verify-2"); err != nil {
		t.Fatal(err)
	}
	if err := s.VoidChallenge(ctx, sendingVoided.ID); err != nil {
		t.Fatal(err)
	}
	now := claimed.Add(time.Second)
	cases := []struct {
		name string
		c    otp.Challenge
		to   string
		now  time.Time
		want error
	}{
		{"sent, then consumed", sentConsumed, sentConsumed.Phone, now, otp.ErrDelivered},
		{"sent, then expired", sentExpired, sentExpired.Phone, sentExpired.ExpiresAt, otp.ErrDelivered},
		{"sent, asked for another number", sentOther, "+14155559999", now, otp.ErrNotDeliverable},
		{"sent decoy", sentDecoy, sentDecoy.Phone, now, otp.ErrNotDeliverable},
		{"freshly claimed, then voided", sendingVoided, sendingVoided.Phone, now, otp.ErrNotDeliverable},
		{"freshly claimed, then consumed", sendingConsumed, sendingConsumed.Phone, now, otp.ErrNotDeliverable},
	}
	for _, tc := range cases {
		if _, err := s.Claim(ctx, tc.c.ID, tc.to, tc.now, tc.now.Add(-staleAfter)); !errors.Is(err, tc.want) {
			t.Errorf("%s: Claim = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// A challenge's delivery fields survive the store's encoding: what is put
// is what is read, and what Claim works from.
func testDeliveryRoundTrip(t *testing.T, s Claims) {
	at := base.Add(-time.Second)
	cases := []struct {
		name  string
		d     otp.Delivery
		claim error
	}{
		{"none", otp.Delivery{}, nil},
		{"sending", otp.Delivery{State: otp.DeliverySending, At: at, Attempts: 1}, otp.ErrClaimTaken},
		{"sent", otp.Delivery{State: otp.DeliverySent, At: at, Attempts: 2, Provider: "twilio", ProviderID: "SM0123456789abcdef"}, otp.ErrDelivered},
		{"failed for good", otp.Delivery{State: otp.DeliveryFailedPermanent, At: at, Attempts: 1, Provider: "sns"}, otp.ErrDelivered},
		{"failed, retry", otp.Delivery{State: otp.DeliveryFailedRetryable, At: at, Attempts: 3, Provider: "sns", ProviderID: "m-1"}, nil},
		{"unknown state", otp.Delivery{State: otp.DeliveryUnknown, At: at, Attempts: 1}, otp.ErrNotDeliverable},
	}
	for _, tc := range cases {
		c := challenge(t, func(c *otp.Challenge) { c.Delivery = tc.d })
		put(t, s, c)
		if d := cmp.Diff(c, get(t, s, c.ID)); d != "" {
			t.Errorf("%s: round trip (-put +got):\n%s", tc.name, d)
		}
		got, err := s.Claim(ctx, c.ID, c.Phone, base, base.Add(-staleAfter))
		if !errors.Is(err, tc.claim) {
			t.Errorf("%s: Claim = %v, want %v", tc.name, err, tc.claim)
			continue
		}
		if err == nil && got.Delivery.Attempts != tc.d.Attempts+1 {
			t.Errorf("%s: attempts after claim = %d, want %d", tc.name, got.Delivery.Attempts, tc.d.Attempts+1)
		}
	}
}

func testClaimAndVerify(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	if _, err := s.CountAttempt(ctx, c.ID, base); err != nil {
		t.Fatal(err)
	}
	claimed := base.Add(time.Second)
	got := claimAt(t, s, c, claimed)
	if got.Attempts != 1 || got.Consumed || !cmp.Equal(got.MAC, c.MAC) || got.KeyID != c.KeyID {
		t.Errorf("Claim disturbed verification fields: %+v", got)
	}
	counted, err := s.CountAttempt(ctx, c.ID, claimed)
	if err != nil {
		t.Fatalf("CountAttempt after Claim: %v", err)
	}
	if counted.Attempts != 2 || counted.Delivery.State != otp.DeliverySending || counted.Delivery.Attempts != 1 {
		t.Errorf("CountAttempt after Claim returned %+v", counted)
	}
	// The user may answer before the worker records the send (a test
	// number, or a slow provider response): both writes stand.
	if err := s.Consume(ctx, c.ID, "verify-1"); err != nil {
		t.Fatalf("Consume after Claim: %v", err)
	}
	if err := s.Record(ctx, c.ID, claimed, otp.Outcome{State: otp.DeliverySent, Provider: "sns", ProviderID: "m1"}); err != nil {
		t.Fatalf("Record after Consume: %v", err)
	}
	want := c
	want.Attempts, want.Consumed, want.ConsumedBy = 2, true, "verify-1"
	want.Delivery = otp.Delivery{State: otp.DeliverySent, At: claimed, Attempts: 1, Provider: "sns", ProviderID: "m1", Via: []string{"sns"}}
	if d := cmp.Diff(want, get(t, s, c.ID)); d != "" {
		t.Errorf("after count, claim, count, consume, record (-want +got):\n%s", d)
	}
}

// 20 workers handed the same message at once: exactly one sends.
func testConcurrentClaims(t *testing.T, s Claims) {
	c := challenge(t)
	put(t, s, c)
	now := base.Add(time.Second)
	won, taken := race(t, "Claim", 20, func() error {
		_, err := s.Claim(ctx, c.ID, c.Phone, now, now.Add(-staleAfter))
		return err
	}, otp.ErrClaimTaken)
	if won != 1 || taken != 19 {
		t.Errorf("%d claims won, %d were told it is taken; want 1 and 19", won, taken)
	}
	if got := get(t, s, c.ID).Delivery; got.Attempts != 1 || got.State != otp.DeliverySending {
		t.Errorf("delivery after concurrent claims = %+v, want sending after 1 attempt", got)
	}
}
