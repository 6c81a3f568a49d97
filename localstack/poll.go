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

// pollMem runs n pollers of the worker's driver on the embedded queue,
// which plays SQS's part: a message to retry comes back after its delay;
// one to dead-letter is logged (there is no dead-letter queue in memory).
// Delays still pending when ctx ends are dropped, so no requeue outlives
// the pollers.
func pollMem(ctx context.Context, q *queue.Mem, w *worker.Worker, log *slog.Logger, n int) error {
	defer func() {
		if left := q.Len(); left > 0 {
			log.Warn("stopped with SMS still queued; they are not sent", "queued", left)
		}
		q.StopDelays()
	}()
	return runDrivers(ctx, n, func() (*worker.Driver, error) {
		return worker.NewQueueDriver(w, loggedDeadLetters{q, log})
	})
}

// loggedDeadLetters is the embedded queue with its dead letters logged.
type loggedDeadLetters struct {
	*queue.Mem
	log *slog.Logger
}

func (q loggedDeadLetters) DeadLetter(ctx context.Context, d queue.Delivery, reason, detail string) error {
	q.log.Error("message dead-lettered", "message", d.ID, "reason", reason, "detail", detail)
	return q.Mem.DeadLetter(ctx, d, reason, detail)
}

// pollSQS runs n long-pollers of the real SQS driver.
func pollSQS(ctx context.Context, w *worker.Worker, client *sqs.Client, queueURL, dlqURL string, n int) error {
	return runDrivers(ctx, n, func() (*worker.Driver, error) {
		d, err := worker.NewDriver(w, client, queueURL, dlqURL)
		if err != nil {
			return nil, err
		}
		// Short polls so shutdown is quick; SQS answers at once when a
		// message is there either way.
		d.WaitTime = 2 * time.Second
		return d, nil
	})
}

// runDrivers polls with n drivers until ctx ends.
func runDrivers(ctx context.Context, n int, newDriver func() (*worker.Driver, error)) error {
	drivers := make([]*worker.Driver, n)
	for i := range drivers {
		d, err := newDriver()
		if err != nil {
			return err
		}
		drivers[i] = d
	}
	var wg sync.WaitGroup
	for _, d := range drivers {
		wg.Go(func() { _ = d.Poll(ctx) })
	}
	wg.Wait()
	return nil
}
