package worker

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
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

// sqsQueue is an SQS queue and its dead-letter queue, as a Driver uses them.
type sqsQueue struct {
	client   SQSAPI
	queueURL string
	dlqURL   string
	now      func() time.Time // stamps dead letters
}

var _ Queue = (*sqsQueue)(nil)

func (q *sqsQueue) ReceiveBatch(ctx context.Context, max int, wait time.Duration) ([]queue.Delivery, error) {
	out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(q.queueURL),
		MaxNumberOfMessages: int32(max),
		WaitTimeSeconds:     int32(wait / time.Second),
	})
	if err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	batch := make([]queue.Delivery, len(out.Messages))
	for i, m := range out.Messages {
		batch[i] = queue.Delivery{ID: aws.ToString(m.MessageId), Receipt: aws.ToString(m.ReceiptHandle), Body: []byte(aws.ToString(m.Body))}
	}
	return batch, nil
}

// Delay sets the message's visibility timeout: SQS counts whole seconds.
func (q *sqsQueue) Delay(ctx context.Context, d queue.Delivery, after time.Duration) error {
	_, err := q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl:          aws.String(q.queueURL),
		ReceiptHandle:     aws.String(d.Receipt),
		VisibilityTimeout: int32(max(1, (after+time.Second-1)/time.Second)),
	})
	if err != nil {
		return fmt.Errorf("change visibility: %w", err)
	}
	return nil
}

// Schedule sends body as a new message that becomes visible after the
// delay: SQS's DelaySeconds, whole seconds, at most 15 minutes.
func (q *sqsQueue) Schedule(ctx context.Context, body []byte, after time.Duration) error {
	secs := min(int32(MaxBackoff/time.Second), int32(max(0, (after+time.Second-1)/time.Second)))
	_, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:     aws.String(q.queueURL),
		MessageBody:  aws.String(string(body)),
		DelaySeconds: secs,
	})
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	return nil
}

// DeadLetter sends d to the dead-letter queue with the reason as
// attributes (redrive alone cannot carry one); the caller deletes d.
func (q *sqsQueue) DeadLetter(ctx context.Context, d queue.Delivery, reason, detail string) error {
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(nonEmpty(v))}
	}
	_, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(q.dlqURL),
		MessageBody: aws.String(nonEmpty(string(d.Body))),
		MessageAttributes: map[string]types.MessageAttributeValue{
			AttrReason:          str(reason),
			AttrDetail:          str(detail),
			AttrSourceMessageID: str(d.ID),
			AttrDeadLetteredAt:  str(q.now().UTC().Format(time.RFC3339)),
		},
	})
	if err != nil {
		return fmt.Errorf("send to dead-letter queue: %w", err)
	}
	return nil
}

func (q *sqsQueue) Delete(ctx context.Context, ds []queue.Delivery) error {
	entries := make([]types.DeleteMessageBatchRequestEntry, len(ds))
	for i, d := range ds {
		entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(d.Receipt)}
	}
	res, err := q.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.queueURL), Entries: entries})
	if err != nil {
		return fmt.Errorf("delete batch: %w", err)
	}
	if len(res.Failed) > 0 {
		// They come back after the visibility timeout; the claim makes the
		// redelivery a no-op.
		return fmt.Errorf("delete batch: %d of %d failed", len(res.Failed), len(entries))
	}
	return nil
}

// nonEmpty: SQS refuses empty bodies and attribute values.
func nonEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}
