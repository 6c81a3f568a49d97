package worker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

type failingSentLog struct{}

func (failingSentLog) RecordSent(context.Context, delivery.Message) error {
	return errors.New("table unavailable")
}

// workerWith is h's worker with a sent log.
func workerWith(t *testing.T, h *harness, p *fakeProvider, sent worker.SentLog) *worker.Worker {
	t.Helper()
	w, err := worker.New(worker.DefaultConfig(), h.store, h.keys, mustText(t), providers.Single{Provider: p}, worker.Prices{}, worker.Env{Now: h.clock.Now, Sent: sent})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// An accepted send is recorded under the provider's message id, pointing
// at its challenge, so its receipt finds it.
func TestProcessRecordsSentMessage(t *testing.T) {
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, worker.DefaultConfig(), p)
	ledger, err := mem.NewLedger(delivery.DefaultConfig(), h.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	w := workerWith(t, h, p, ledger)
	body, m, _ := h.message()
	if got := w.Process(context.Background(), body); got.Reason != worker.ReasonSent {
		t.Fatalf("outcome %+v", got)
	}
	a, err := ledger.ApplyReceipt(context.Background(), delivery.Receipt{
		Provider: "fake", MessageID: "SM" + m.MessageID, Status: delivery.Delivered, At: h.clock.Now().Add(2 * time.Second),
	})
	if err != nil {
		t.Fatalf("receipt for the sent message: %v", err)
	}
	if a.Before.ChallengeID != m.ChallengeID || a.Before.Country != "US" || !a.Before.SentAt.Equal(h.clock.Now()) || !a.Changed {
		t.Errorf("recorded %+v, want challenge %s, US, sent now", a.Before, m.ChallengeID)
	}
}

// A sent log that fails does not fail the send: the SMS is out.
func TestProcessSentLogFailureStillSent(t *testing.T) {
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, worker.DefaultConfig(), p)
	w := workerWith(t, h, p, failingSentLog{})
	body, _, _ := h.message()
	if got := w.Process(context.Background(), body); got.Action != worker.Delete || got.Reason != worker.ReasonSent {
		t.Errorf("outcome %+v, want delete/sent", got)
	}
	if n := len(p.Sent()); n != 1 {
		t.Errorf("%d SMS sent, want 1", n)
	}
}
