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
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

// Ledger holds sent messages, their receipts and the delivery tallies (the
// worker declares RecordSent, the receipts function ApplyReceipt). The doc
// comments below are the semantics RunLedger checks.
type Ledger interface {
	// RecordSent records m (status sent) under m.Provider and m.ID and
	// counts it as sent in the tally of m's provider, country and send
	// window. Recording the same provider and id again changes nothing
	// and succeeds: a retried write is counted once.
	RecordSent(ctx context.Context, m delivery.Message) error

	// ApplyReceipt moves the message r names by delivery.Message.Advance,
	// atomically with its tally: a move to a final status counts once in
	// the window the message was sent in (delivered with its time to
	// delivered; undelivered and failed by error code). A receipt that
	// moves nothing (late, duplicate, out of order) changes nothing and is
	// not an error. A message never recorded gives delivery.ErrUnknownMessage.
	ApplyReceipt(ctx context.Context, r delivery.Receipt) (delivery.Applied, error)

	// Tally sums provider's tallies to country over the windows that start
	// in [window of from, to).
	Tally(ctx context.Context, provider, country string, from, to time.Time) (delivery.Tally, error)
}

// LedgerConfig is the configuration RunLedger's stores are built with.
func LedgerConfig() delivery.Config {
	c := delivery.DefaultConfig()
	c.Shards = 3
	return c
}

// RunLedger runs the delivery-ledger suite; newLedger returns an empty
// ledger built with LedgerConfig for each subtest.
func RunLedger(t *testing.T, newLedger func(t *testing.T) Ledger) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l Ledger)
	}{
		{"SentThenDelivered", testSentDelivered},
		{"SentTwiceCountsOnce", testSentTwice},
		{"UnknownMessage", testUnknownMessage},
		{"OutOfOrderAndDuplicateChangeNothing", testOutOfOrder},
		{"FirstFinalStatusWins", testFirstFinalWins},
		{"FailuresByErrorCode", testFailureCodes},
		{"TalliesPerProviderCountryAndWindow", testTallyKeys},
		{"InvalidInputWritesNothing", testLedgerInvalid},
		{"ConcurrentDuplicateReceiptsCountOnce", testConcurrentReceipts},
		{"ConcurrentSendsAllCounted", testConcurrentSends},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newLedger(t))
		})
	}
}

var msgSeq atomic.Int64

func sentMessage(mut ...func(*delivery.Message)) delivery.Message {
	m := delivery.Message{
		Provider:    "twilio",
		ID:          fmt.Sprintf("SM%032d", msgSeq.Add(1)),
		ChallengeID: "ch-" + fmt.Sprint(msgSeq.Load()),
		Country:     "US",
		SentAt:      base,
		Status:      delivery.Sent,
	}
	for _, f := range mut {
		f(&m)
	}
	return m
}

func receipt(m delivery.Message, s delivery.Status, code string, after time.Duration) delivery.Receipt {
	return delivery.Receipt{Provider: m.Provider, MessageID: m.ID, Status: s, ErrorCode: code, At: m.SentAt.Add(after)}
}

func mustRecord(t *testing.T, l Ledger, m delivery.Message) {
	t.Helper()
	if err := l.RecordSent(ctx, m); err != nil {
		t.Fatalf("RecordSent: %v", err)
	}
}

func apply(t *testing.T, l Ledger, r delivery.Receipt) delivery.Applied {
	t.Helper()
	a, err := l.ApplyReceipt(ctx, r)
	if err != nil {
		t.Fatalf("ApplyReceipt(%s): %v", r.Status, err)
	}
	return a
}

// wantTally compares the tally of provider x country over the hour around base.
func wantTally(t *testing.T, l Ledger, provider, country string, want delivery.Tally) {
	t.Helper()
	got, err := l.Tally(ctx, provider, country, base.Add(-30*time.Minute), base.Add(30*time.Minute))
	if err != nil {
		t.Fatalf("Tally: %v", err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("tally %s/%s (-want +got):\n%s", provider, country, diff)
	}
}

func testSentDelivered(t *testing.T, l Ledger) {
	m := sentMessage()
	mustRecord(t, l, m)
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1})
	a := apply(t, l, receipt(m, delivery.Handed, "", time.Second))
	if !a.Changed || a.Before.Status != delivery.Sent || a.After.Status != delivery.Handed {
		t.Errorf("handed: %+v", a)
	}
	a = apply(t, l, receipt(m, delivery.Delivered, "", 4*time.Second))
	want := m
	want.Status, want.StatusAt = delivery.Delivered, m.SentAt.Add(4*time.Second)
	if diff := cmp.Diff(delivery.Applied{Before: a.Before, After: want, Changed: true}, a, cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if a.Before.Status != delivery.Handed || a.Before.ChallengeID != m.ChallengeID {
		t.Errorf("before = %+v, want the handed message", a.Before)
	}
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: 4 * time.Second})
}

func testSentTwice(t *testing.T, l Ledger) {
	m := sentMessage()
	mustRecord(t, l, m)
	mustRecord(t, l, m)
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1})
}

func testUnknownMessage(t *testing.T, l Ledger) {
	m := sentMessage()
	_, err := l.ApplyReceipt(ctx, receipt(m, delivery.Delivered, "", time.Second))
	if !errors.Is(err, delivery.ErrUnknownMessage) {
		t.Errorf("err = %v, want ErrUnknownMessage", err)
	}
	// The same id under another provider is another message.
	mustRecord(t, l, m)
	other := receipt(m, delivery.Delivered, "", time.Second)
	other.Provider = "sns"
	if _, err := l.ApplyReceipt(ctx, other); !errors.Is(err, delivery.ErrUnknownMessage) {
		t.Errorf("other provider: err = %v, want ErrUnknownMessage", err)
	}
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1})
	wantTally(t, l, "sns", "US", delivery.Tally{})
}

func testOutOfOrder(t *testing.T, l Ledger) {
	m := sentMessage()
	mustRecord(t, l, m)
	apply(t, l, receipt(m, delivery.Delivered, "", 2*time.Second))
	for _, r := range []delivery.Receipt{
		receipt(m, delivery.Handed, "", time.Second),      // late "sent"
		receipt(m, delivery.Sent, "", 0),                  // late "queued"
		receipt(m, delivery.Delivered, "", 9*time.Second), // duplicate
	} {
		if a := apply(t, l, r); a.Changed || a.After.Status != delivery.Delivered || !a.After.StatusAt.Equal(m.SentAt.Add(2*time.Second)) {
			t.Errorf("%s after delivered: %+v, want no change", r.Status, a)
		}
	}
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: 2 * time.Second})
}

func testFirstFinalWins(t *testing.T, l Ledger) {
	m := sentMessage()
	mustRecord(t, l, m)
	apply(t, l, receipt(m, delivery.Undelivered, "30007", 3*time.Second))
	if a := apply(t, l, receipt(m, delivery.Delivered, "", 5*time.Second)); a.Changed || a.After.Status != delivery.Undelivered || a.After.ErrorCode != "30007" {
		t.Errorf("delivered after undelivered: %+v, want no change", a)
	}
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1, Undelivered: 1, Codes: map[string]int64{"30007": 1}})
}

func testFailureCodes(t *testing.T, l Ledger) {
	var want delivery.Tally
	for _, tc := range []struct {
		status delivery.Status
		code   string
		stored string
	}{
		{delivery.Undelivered, "30007", "30007"},
		{delivery.Undelivered, "30007", "30007"},
		{delivery.Undelivered, "30003", "30003"},
		{delivery.Failed, "30008", "30008"},
		{delivery.Failed, "", delivery.OtherCode},
		{delivery.Undelivered, "x y\"z", delivery.OtherCode},
		{delivery.Undelivered, "carrier-blocked", "carrier-blocked"},
	} {
		m := sentMessage()
		mustRecord(t, l, m)
		if a := apply(t, l, receipt(m, tc.status, tc.code, time.Second)); a.After.ErrorCode != tc.stored {
			t.Errorf("code %q stored as %q, want %q", tc.code, a.After.ErrorCode, tc.stored)
		}
		want.Add(delivery.Change(delivery.Message{}, m))
		after := m
		after.Status, after.ErrorCode = tc.status, tc.stored
		want.Add(delivery.Change(m, after))
	}
	wantTally(t, l, "twilio", "US", want)
}

func testTallyKeys(t *testing.T, l Ledger) {
	cfg := LedgerConfig()
	early := base.Add(-2 * time.Hour)
	for _, m := range []delivery.Message{
		sentMessage(),
		sentMessage(func(m *delivery.Message) { m.Country = "BR" }),
		sentMessage(func(m *delivery.Message) { m.Provider = "sns"; m.ID = "0eb79b44-d9bd-5938-b0cf-c1e572815b74" }),
		sentMessage(func(m *delivery.Message) { m.SentAt = early }),
	} {
		mustRecord(t, l, m)
		apply(t, l, receipt(m, delivery.Delivered, "", time.Second))
	}
	one := delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: time.Second}
	wantTally(t, l, "twilio", "US", one)
	wantTally(t, l, "twilio", "BR", one)
	wantTally(t, l, "sns", "US", one)
	got, err := l.Tally(ctx, "twilio", "US", early, early.Add(cfg.Window))
	if err != nil || got.Sent != 1 || got.Delivered != 1 {
		t.Errorf("early window: %+v, %v; want the one sent then", got, err)
	}
	got, err = l.Tally(ctx, "twilio", "US", early, base.Add(time.Hour))
	if err != nil || got.Sent != 2 {
		t.Errorf("both windows: %+v, %v; want 2 sent", got, err)
	}
}

func testLedgerInvalid(t *testing.T, l Ledger) {
	for name, m := range map[string]delivery.Message{
		"no id":        sentMessage(func(m *delivery.Message) { m.ID = "" }),
		"no challenge": sentMessage(func(m *delivery.Message) { m.ChallengeID = "" }),
		"not sent":     sentMessage(func(m *delivery.Message) { m.Status = delivery.Delivered }),
		"no sent time": sentMessage(func(m *delivery.Message) { m.SentAt = time.Time{} }),
	} {
		if err := l.RecordSent(ctx, m); err == nil {
			t.Errorf("%s: RecordSent succeeded", name)
		}
	}
	m := sentMessage()
	mustRecord(t, l, m)
	for name, r := range map[string]delivery.Receipt{
		"no status": receipt(m, 0, "", time.Second),
		"no time":   {Provider: m.Provider, MessageID: m.ID, Status: delivery.Delivered},
		"no id":     {Provider: m.Provider, Status: delivery.Delivered, At: base},
	} {
		if _, err := l.ApplyReceipt(ctx, r); err == nil || errors.Is(err, delivery.ErrUnknownMessage) {
			t.Errorf("%s: err = %v, want a refusal", name, err)
		}
	}
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1})
}

func testConcurrentReceipts(t *testing.T, l Ledger) {
	m := sentMessage()
	mustRecord(t, l, m)
	const n = 8
	var changed atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := delivery.Delivered
			if i%2 == 1 {
				status = delivery.Handed
			}
			a, err := l.ApplyReceipt(ctx, receipt(m, status, "", time.Second))
			if err != nil {
				t.Errorf("ApplyReceipt: %v", err)
			}
			if a.Changed && a.After.Status == delivery.Delivered {
				changed.Add(1)
			}
		}()
	}
	wg.Wait()
	if changed.Load() != 1 {
		t.Errorf("%d receipts moved it to delivered, want 1", changed.Load())
	}
	wantTally(t, l, "twilio", "US", delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: time.Second})
}

func testConcurrentSends(t *testing.T, l Ledger) {
	const n = 12
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := sentMessage(func(m *delivery.Message) { m.Country = "DE" })
			if err := l.RecordSent(ctx, m); err != nil {
				t.Errorf("RecordSent: %v", err)
				return
			}
			if _, err := l.ApplyReceipt(ctx, receipt(m, delivery.Delivered, "", time.Second)); err != nil {
				t.Errorf("ApplyReceipt: %v", err)
			}
		}()
	}
	wg.Wait()
	wantTally(t, l, "twilio", "DE", delivery.Tally{Sent: n, Delivered: n, TimeToDelivered: n * time.Second})
}
