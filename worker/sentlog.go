package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// SentLog records each SMS a provider accepted under the provider's message
// id, pointing at its challenge, so its delivery receipts find it and count
// it (store/dynamo.Ledger). Optional: without one, receipts find nothing.
type SentLog interface {
	RecordSent(ctx context.Context, m delivery.Message) error
}

// logSent records an accepted send. Like record, it runs detached from the
// caller's context and a failure is logged and counted, not acted on: the
// SMS is out either way, and its receipts will be counted as unknown.
func (w *Worker) logSent(ctx context.Context, log *slog.Logger, m schema.Message, r providers.Receipt, country string, at time.Time) {
	if w.env.Sent == nil || r.MessageID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordBudget)
	defer cancel()
	sent := delivery.Message{
		Provider: r.Provider, ID: r.MessageID, ChallengeID: m.ChallengeID,
		Country: country, SentAt: at, Status: delivery.Sent,
	}
	if err := w.env.Sent.RecordSent(ctx, sent); err != nil {
		log.Error("record sent message failed", "provider", r.Provider, "err", err)
		w.env.Metrics.Count("SentLogFailed")
	}
}
