package worker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSAPI is the part of the SQS client the drivers use.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// Dead-letter message attributes: why the worker gave up on a message.
const (
	AttrReason          = "reason"
	AttrDetail          = "detail"
	AttrSourceMessageID = "sourceMessageId"
	AttrDeadLetteredAt  = "deadLetteredAt"
)

// Driver runs a Worker against SQS: as a Lambda handler or as a poller.
type Driver struct {
	w        *Worker
	sqs      SQSAPI
	queueURL string
	dlqURL   string
	// WaitTime is the poller's long-poll wait (SQS allows 0 to 20 s).
	WaitTime time.Duration
}

// NewDriver returns a driver for the queue and its dead-letter queue.
func NewDriver(w *Worker, client SQSAPI, queueURL, dlqURL string) (*Driver, error) {
	if w == nil || client == nil || queueURL == "" || dlqURL == "" {
		return nil, errors.New("worker driver: worker, SQS client, queue URL and dead-letter queue URL are required")
	}
	return &Driver{w: w, sqs: client, queueURL: queueURL, dlqURL: dlqURL, WaitTime: 20 * time.Second}, nil
}

// delivery is one received message.
type delivery struct {
	id, receipt, body string
}

// HandleSQS is the Lambda handler for the SQS event source with
// ReportBatchItemFailures: it returns the ids of the messages to keep (to
// retry, after the delay it set on each); Lambda deletes the rest.
func (d *Driver) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	batch := make([]delivery, len(ev.Records))
	for i, r := range ev.Records {
		batch[i] = delivery{id: r.MessageId, receipt: r.ReceiptHandle, body: r.Body}
	}
	var resp events.SQSEventResponse
	for i, keep := range d.process(ctx, batch) {
		if keep {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: batch[i].id})
		}
	}
	return resp, nil
}

// Poll receives and processes messages until ctx ends.
func (d *Driver) Poll(ctx context.Context) error {
	for ctx.Err() == nil {
		if _, err := d.PollOnce(ctx); err != nil && ctx.Err() == nil {
			d.w.env.Log.Error("poll failed", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// PollOnce does one long-poll receive and processes what it got; it
// returns how many messages it received.
func (d *Driver) PollOnce(ctx context.Context) (int, error) {
	out, err := d.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(d.queueURL),
		MaxNumberOfMessages: 10,
		WaitTimeSeconds:     int32(d.WaitTime / time.Second),
	})
	if err != nil {
		return 0, fmt.Errorf("receive: %w", err)
	}
	batch := make([]delivery, len(out.Messages))
	for i, m := range out.Messages {
		batch[i] = delivery{id: aws.ToString(m.MessageId), receipt: aws.ToString(m.ReceiptHandle), body: aws.ToString(m.Body)}
	}
	// A received batch is finished even if ctx ends (shutdown): cutting a
	// send short could leave an SMS sent but not recorded, which the next
	// delivery would send again. The bound keeps a stuck call from holding
	// shutdown forever.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.w.cfg.SendTimeout+10*time.Second)
	defer cancel()
	keep := d.process(ctx, batch)
	var entries []types.DeleteMessageBatchRequestEntry
	for i, k := range keep {
		if !k {
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(batch[i].receipt)})
		}
	}
	if len(entries) == 0 {
		return len(batch), nil
	}
	res, err := d.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(d.queueURL), Entries: entries})
	if err != nil {
		return len(batch), fmt.Errorf("delete batch: %w", err)
	}
	if len(res.Failed) > 0 {
		// They come back after the visibility timeout; the claim makes the
		// redelivery a no-op.
		return len(batch), fmt.Errorf("delete batch: %d of %d failed", len(res.Failed), len(entries))
	}
	return len(batch), nil
}

// process runs the batch concurrently (bounded) and acts on each outcome
// but the delete; it reports for each message whether to keep it.
func (d *Driver) process(ctx context.Context, batch []delivery) []bool {
	keep := make([]bool, len(batch))
	sem := make(chan struct{}, d.w.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, m := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			keep[i] = d.act(ctx, m, d.w.Process(ctx, []byte(m.body)))
		})
	}
	wg.Wait()
	return keep
}

// act performs an outcome's queue side and reports whether the message
// stays on the queue.
func (d *Driver) act(ctx context.Context, m delivery, o Outcome) bool {
	switch o.Action {
	case Retry:
		_, err := d.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl:          aws.String(d.queueURL),
			ReceiptHandle:     aws.String(m.receipt),
			VisibilityTimeout: int32(max(1, (o.Delay+time.Second-1)/time.Second)),
		})
		if err != nil {
			// It returns after the queue's own visibility timeout instead.
			d.w.env.Log.Error("set retry delay failed", "message", m.id, "err", err)
		}
		return true
	case DeadLetter:
		if err := d.deadLetter(ctx, m, o); err != nil {
			d.w.env.Log.Error("dead-letter failed; the message stays on the queue", "message", m.id, "err", err)
			return true
		}
		return false
	default:
		return false
	}
}

// deadLetter moves m to the dead-letter queue with the reason as attributes
// (redrive alone cannot carry one).
func (d *Driver) deadLetter(ctx context.Context, m delivery, o Outcome) error {
	detail := o.Detail
	if len(detail) > 256 {
		detail = detail[:256]
	}
	if detail == "" {
		detail = o.Reason
	}
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err := d.sqs.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(d.dlqURL),
		MessageBody: aws.String(nonEmpty(m.body)),
		MessageAttributes: map[string]types.MessageAttributeValue{
			AttrReason:          str(o.Reason),
			AttrDetail:          str(detail),
			AttrSourceMessageID: str(nonEmpty(m.id)),
			AttrDeadLetteredAt:  str(d.w.env.Now().UTC().Format(time.RFC3339)),
		},
	})
	if err != nil {
		return fmt.Errorf("send to dead-letter queue: %w", err)
	}
	d.w.env.Metrics.Count("DeadLettered")
	return nil
}

// nonEmpty: SQS refuses empty bodies and attribute values.
func nonEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}
