package worker

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/pause"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
)

// Queue is what a Driver receives from and settles messages on: SQS and
// its dead-letter queue (NewDriver), or the local stack's *queue.Mem.
type Queue interface {
	// ReceiveBatch waits up to wait for messages and returns up to max.
	ReceiveBatch(ctx context.Context, max int, wait time.Duration) ([]queue.Delivery, error)
	// Delay hands d back to the queue, to come again after the delay.
	Delay(ctx context.Context, d queue.Delivery, after time.Duration) error
	// DeadLetter moves a copy of d aside with why; the driver deletes d.
	DeadLetter(ctx context.Context, d queue.Delivery, reason, detail string) error
	// Delete removes finished messages.
	Delete(ctx context.Context, ds []queue.Delivery) error
	// Schedule puts a new message on the queue, to be received after the
	// delay (SQS's DelaySeconds): the timer of a delivery check.
	Schedule(ctx context.Context, body []byte, after time.Duration) error
}

// batchMax is how many messages one receive takes (the SQS limit).
const batchMax = 10

// detailMax bounds a dead letter's detail.
const detailMax = 256

// Driver runs a Worker against a Queue: as a Lambda handler or as a poller.
type Driver struct {
	w *Worker
	q Queue
	// WaitTime is the poller's long-poll wait (SQS allows 0 to 20 s).
	WaitTime time.Duration
}

// NewDriver returns a driver for an SQS queue and its dead-letter queue.
func NewDriver(w *Worker, client SQSAPI, queueURL, dlqURL string) (*Driver, error) {
	if w == nil || client == nil || queueURL == "" || dlqURL == "" {
		return nil, errors.New("worker driver: worker, SQS client, queue URL and dead-letter queue URL are required")
	}
	return NewQueueDriver(w, &sqsQueue{client: client, queueURL: queueURL, dlqURL: dlqURL, now: w.env.Now})
}

// NewQueueDriver returns a driver for q.
func NewQueueDriver(w *Worker, q Queue) (*Driver, error) {
	if w == nil || q == nil {
		return nil, errors.New("worker driver: worker and queue are required")
	}
	return &Driver{w: w, q: q, WaitTime: 20 * time.Second}, nil
}

// HandleSQS is the Lambda handler for the SQS event source with
// ReportBatchItemFailures: it returns the ids of the messages to keep (to
// retry, after the delay it set on each); Lambda deletes the rest.
func (d *Driver) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	batch := make([]queue.Delivery, len(ev.Records))
	for i, r := range ev.Records {
		batch[i] = queue.Delivery{ID: r.MessageId, Receipt: r.ReceiptHandle, Body: []byte(r.Body)}
	}
	var resp events.SQSEventResponse
	for i, keep := range d.process(ctx, batch) {
		if keep {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: batch[i].ID})
		}
	}
	return resp, nil
}

// Poll receives and processes messages until ctx ends.
func (d *Driver) Poll(ctx context.Context) error {
	for ctx.Err() == nil {
		if _, err := d.PollOnce(ctx); err != nil && ctx.Err() == nil {
			d.w.env.Log.Error("poll failed", "err", err)
			_ = pause.For(ctx, time.Second) // the loop ends with ctx
		}
	}
	return nil
}

// PollOnce does one long-poll receive and processes what it got; it
// returns how many messages it received.
func (d *Driver) PollOnce(ctx context.Context) (int, error) {
	batch, err := d.q.ReceiveBatch(ctx, batchMax, d.WaitTime)
	if err != nil {
		return 0, err
	}
	// A received batch is finished even if ctx ends (shutdown): cutting a
	// send short could leave an SMS sent but not recorded, which the next
	// delivery would send again. The bound keeps a stuck call from holding
	// shutdown forever.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.w.cfg.SendTimeout+10*time.Second)
	defer cancel()
	var done []queue.Delivery
	for i, keep := range d.process(ctx, batch) {
		if !keep {
			done = append(done, batch[i])
		}
	}
	if len(done) == 0 {
		return len(batch), nil
	}
	return len(batch), d.q.Delete(ctx, done)
}

// process runs the batch concurrently (bounded) and acts on each outcome
// but the delete; it reports for each message whether to keep it.
func (d *Driver) process(ctx context.Context, batch []queue.Delivery) []bool {
	keep := make([]bool, len(batch))
	sem := make(chan struct{}, d.w.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, m := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			keep[i] = d.act(ctx, m, d.w.Process(ctx, m.Body))
		})
	}
	wg.Wait()
	return keep
}

// act performs an outcome's queue side and reports whether the message
// stays on the queue.
func (d *Driver) act(ctx context.Context, m queue.Delivery, o Outcome) bool {
	if o.Then != nil {
		d.schedule(ctx, m, o.Then)
	}
	switch o.Action {
	case Retry:
		if err := d.q.Delay(ctx, m, o.Delay); err != nil {
			// It returns after the queue's own visibility timeout instead.
			d.w.env.Log.Error("set retry delay failed", "message", m.ID, "err", err)
		}
		return true
	case DeadLetter:
		if err := d.q.DeadLetter(ctx, m, o.Reason, deadLetterDetail(o)); err != nil {
			d.w.env.Log.Error("dead-letter failed; the message stays on the queue", "message", m.ID, "err", err)
			return true
		}
		d.w.env.Metrics.Count("DeadLettered")
		return false
	default:
		return false
	}
}

// schedule puts o's follow-up on the queue. A failure is logged and
// counted: the SMS is out, only its delivery check (and a resend) is lost.
func (d *Driver) schedule(ctx context.Context, m queue.Delivery, f *FollowUp) {
	if err := d.q.Schedule(ctx, f.Body, f.After); err != nil {
		d.w.env.Log.Error("delivery check not scheduled", "message", m.ID, "err", err)
		d.w.env.Metrics.Count("CheckScheduleFailed")
	}
}

// deadLetterDetail is o's detail, bounded, or its reason when it has none.
func deadLetterDetail(o Outcome) string {
	detail := o.Detail
	if len(detail) > detailMax {
		detail = detail[:detailMax]
	}
	if detail == "" {
		detail = o.Reason
	}
	return detail
}
