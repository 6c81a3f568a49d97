package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// Resends is a store that also lets the worker claim a challenge for one
// more SMS after a send that was not delivered (the worker declares the
// same method).
type Resends interface {
	Claims

	// ClaimResend takes the delivery of challenge id for one more SMS after
	// the send prevProvider accepted as prevID, if and only if
	// otp.Challenge.ResendRefusal(to, prevProvider, prevID, now, maxSends)
	// is nil: the challenge is live and for to, its delivery is "sent" by
	// that provider with that id, and fewer than maxSends providers are in Delivery.Via.
	// It then sets delivery=sending, deliveryAt=now and adds 1 to
	// deliveryAttempts, like Claim, so Record settles it; a Record of a
	// sent outcome adds its provider to Via. Otherwise nothing changes and
	// the error wraps ResendRefusal's reason (otp.ErrNotDeliverable,
	// otp.ErrDelivered, otp.ErrSendsSpent).
	ClaimResend(ctx context.Context, id, to, prevProvider, prevID string, now time.Time, maxSends int) (otp.Challenge, error)
}

// RunResends runs the resend-claim suite; newStore returns an empty store
// for each subtest.
func RunResends(t *testing.T, newStore func(t *testing.T) Resends) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Resends)
	}{
		{"ResendUpToMaxSends", testResendBound},
		{"ResendRefusals", testResendRefusals},
		{"ConcurrentResendsExactlyOneWins", testConcurrentResends},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// sentVia puts c and records its first send through provider as id.
func sentVia(t *testing.T, s Resends, c otp.Challenge, provider, id string) time.Time {
	t.Helper()
	put(t, s, c)
	claimed := base.Add(time.Second)
	claimAt(t, s, c, claimed)
	if err := s.Record(ctx, c.ID, claimed, otp.Sent(provider, id)); err != nil {
		t.Fatalf("Record: %v", err)
	}
	return claimed
}

var sortVia = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func testResendBound(t *testing.T, s Resends) {
	c := challenge(t)
	sentVia(t, s, c, "twilio", "SM1")
	at := base.Add(20 * time.Second)
	got, err := s.ClaimResend(ctx, c.ID, c.Phone, "twilio", "SM1", at, 2)
	if err != nil {
		t.Fatalf("ClaimResend: %v", err)
	}
	want := otp.Delivery{State: otp.DeliverySending, At: at, Attempts: 2, Provider: "twilio", ProviderID: "SM1", Via: []string{"twilio"}}
	if d := cmp.Diff(want, got.Delivery); d != "" {
		t.Errorf("claimed for a resend (-want +got):\n%s", d)
	}
	if err := s.Record(ctx, c.ID, at, otp.Sent("sns", "m-2")); err != nil {
		t.Fatalf("Record resend: %v", err)
	}
	want = otp.Delivery{State: otp.DeliverySent, At: at, Attempts: 2, Provider: "sns", ProviderID: "m-2", Via: []string{"sns", "twilio"}}
	if d := cmp.Diff(want, get(t, s, c.ID).Delivery, sortVia); d != "" {
		t.Errorf("after the resend (-want +got):\n%s", d)
	}
	later := at.Add(20 * time.Second)
	if _, err := s.ClaimResend(ctx, c.ID, c.Phone, "sns", "m-2", later, 2); !errors.Is(err, otp.ErrSendsSpent) {
		t.Errorf("third SMS with a bound of 2: %v, want ErrSendsSpent", err)
	}
	if _, err := s.ClaimResend(ctx, c.ID, c.Phone, "twilio", "SM1", later, 3); !errors.Is(err, otp.ErrDelivered) {
		t.Errorf("a late check of the first send: %v, want ErrDelivered", err)
	}
	if _, err := s.ClaimResend(ctx, c.ID, c.Phone, "sns", "m-2", later, 3); err != nil {
		t.Errorf("third SMS with a bound of 3: %v", err)
	}
}

func testResendRefusals(t *testing.T, s Resends) {
	at := base.Add(20 * time.Second)
	cases := []struct {
		name     string
		mut      func(t *testing.T, s Resends, c otp.Challenge)
		to       string
		provider string
		prev     string
		at       time.Time
		want     error
	}{
		{"consumed", func(t *testing.T, s Resends, c otp.Challenge) {
			if err := s.Consume(ctx, c.ID, "verify-1"); err != nil {
				t.Fatal(err)
			}
		}, "", "twilio", "SM1", at, otp.ErrNotDeliverable},
		{"voided", func(t *testing.T, s Resends, c otp.Challenge) {
			if err := s.VoidChallenge(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
		}, "", "twilio", "SM1", at, otp.ErrNotDeliverable},
		{"expired", nil, "", "twilio", "SM1", base.Add(3 * time.Minute), otp.ErrNotDeliverable},
		{"another number", nil, "+14155550100", "twilio", "SM1", at, otp.ErrNotDeliverable},
		{"another message", nil, "", "twilio", "SM9", at, otp.ErrDelivered},
		{"same id, another provider", nil, "", "sns", "SM1", at, otp.ErrDelivered},
		{"no message", nil, "", "twilio", "", at, otp.ErrDelivered},
	}
	for _, tc := range cases {
		c := challenge(t)
		sentVia(t, s, c, "twilio", "SM1")
		if tc.mut != nil {
			tc.mut(t, s, c)
		}
		before := get(t, s, c.ID)
		to := tc.to
		if to == "" {
			to = c.Phone
		}
		_, err := s.ClaimResend(ctx, c.ID, to, tc.provider, tc.prev, tc.at, 2)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		unchanged(t, s, before, tc.name)
	}
	if _, err := s.ClaimResend(ctx, "0123456789abcdef0123456789abcdef", "+14155550100", "twilio", "SM1", at, 2); !errors.Is(err, otp.ErrNotDeliverable) {
		t.Errorf("missing challenge: %v", err)
	}
	placeholder := challenge(t) // voided before it was ever stored
	if err := s.VoidChallenge(ctx, placeholder.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimResend(ctx, placeholder.ID, placeholder.Phone, "twilio", "SM1", at, 2); !errors.Is(err, otp.ErrNotDeliverable) {
		t.Errorf("placeholder of a void: %v, want ErrNotDeliverable", err)
	}
}

func testConcurrentResends(t *testing.T, s Resends) {
	c := challenge(t)
	sentVia(t, s, c, "twilio", "SM1")
	at := base.Add(20 * time.Second)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := s.ClaimResend(ctx, c.ID, c.Phone, "twilio", "SM1", at, 2); err == nil {
				wins.Add(1)
			} else if !errors.Is(err, otp.ErrDelivered) {
				t.Errorf("losing ClaimResend: %v, want ErrDelivered", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d resend claims won, want exactly 1", wins.Load())
	}
}
