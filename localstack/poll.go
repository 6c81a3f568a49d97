package localstack

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// pollMem delivers from the embedded queue with n concurrent pollers. It
// plays SQS's part: a message to retry comes back after its delay; one to
// dead-letter is logged (there is no dead-letter queue in memory).
func pollMem(ctx context.Context, q *queue.Mem, w *worker.Worker, log *slog.Logger, n int) error {
	var wg sync.WaitGroup
	defer func() {
		if left := q.Len(); left > 0 {
			log.Warn("stopped with SMS still queued; they are not sent", "queued", left)
		}
	}()
	for range n {
		wg.Go(func() {
			for {
				m, err := q.Receive(ctx)
				if err != nil && ctx.Err() != nil {
					return
				}
				if err != nil {
					// A body that does not decode: no retry can fix it.
					log.Error("message dropped", "reason", worker.ReasonMalformed, "err", err)
					continue
				}
				body, err := m.Encode()
				if err != nil {
					log.Error("re-encode message", "message", m.MessageID, "err", err)
					continue
				}
				// Finish a received message even during shutdown, as the
				// SQS driver does: a cut send could be sent but unrecorded.
				o := w.Process(context.WithoutCancel(ctx), body)
				switch o.Action {
				case worker.Retry:
					time.AfterFunc(o.Delay, func() {
						if err := q.Enqueue(context.Background(), m); err != nil {
							log.Error("requeue message", "message", m.MessageID, "err", err)
						}
					})
				case worker.DeadLetter:
					log.Error("message dead-lettered", "message", m.MessageID, "reason", o.Reason, "detail", o.Detail)
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// pollSQS runs n long-pollers of the real SQS driver.
func pollSQS(ctx context.Context, w *worker.Worker, client *sqs.Client, queueURL, dlqURL string, n int) error {
	var wg sync.WaitGroup
	for range n {
		d, err := worker.NewDriver(w, client, queueURL, dlqURL)
		if err != nil {
			return err
		}
		// Short polls so shutdown is quick; SQS answers at once when a
		// message is there either way.
		d.WaitTime = 2 * time.Second
		wg.Go(func() { _ = d.Poll(ctx) })
	}
	wg.Wait()
	return nil
}
