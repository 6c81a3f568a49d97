package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// Message attribute names. A consumer can route on the version, or find the
// challenge, without parsing the body. The phone number is deliberately not
// an attribute: it stays in the body only.
const (
	AttrVersion     = "version"     // Number, the body's schema version
	AttrChallengeID = "challengeId" // String, 32 lower-case hex digits
)

// Attribute is one message attribute of type String or Number.
type Attribute struct {
	DataType    string
	StringValue string `json:",omitempty"`
}

// Sender is SQS's SendMessage: one body, with its attributes, on a queue.
// NewSQSJSON's sends in the JSON protocol; package queue/sqssdk's through
// the generated client, which the trigger functions do not link.
type Sender interface {
	SendMessage(ctx context.Context, queueURL, body string, attrs map[string]Attribute) error
}

// JSONAPI calls one operation of SQS's JSON protocol (*awsjson.Client of
// awsjson.SQS). The trigger functions send through it: SendMessage is all
// they call, and the generated SQS client adds about 0.4 MB to a binary
// and its package initialisation to their cold start.
// Errors from SQS wrap *awsjson.APIError.
type JSONAPI interface {
	Call(ctx context.Context, operation string, in, out any) error
}

// SQS enqueues SMS jobs on an Amazon SQS standard queue.
//
// Standard, not FIFO: delivery is at-least-once and unordered, which the
// worker handles by claiming each challenge before it sends. A FIFO queue
// would need a MessageGroupId on every send (the challenge id, never the
// phone number) and a MessageDeduplicationId (the message id) or
// content-based deduplication, and would cap throughput per group; none of
// that buys us anything, so FIFO queue URLs are refused.
type SQS struct {
	sender   Sender
	queueURL string
}

// NewSQS returns an SQS that sends to queueURL through sender.
func NewSQS(sender Sender, queueURL string) (*SQS, error) {
	if sender == nil {
		return nil, errors.New("queue: SQS client is nil")
	}
	if err := checkURL(queueURL); err != nil {
		return nil, err
	}
	return &SQS{sender: sender, queueURL: queueURL}, nil
}

// NewSQSJSON returns an SQS that sends to queueURL through api, the JSON
// protocol, without the generated client.
func NewSQSJSON(api JSONAPI, queueURL string) (*SQS, error) {
	if api == nil {
		return nil, errors.New("queue: SQS client is nil")
	}
	return NewSQS(jsonSender{api}, queueURL)
}

func checkURL(queueURL string) error {
	switch {
	case strings.TrimSpace(queueURL) == "":
		return errors.New("queue: SQS queue URL is empty")
	case strings.HasSuffix(queueURL, ".fifo"):
		return fmt.Errorf("queue: %s is a FIFO queue; only standard queues are supported", queueURL)
	}
	return nil
}

// Enqueue sends m as one SQS message whose body is m.Encode(). Errors name
// the message id, never the phone number; the sender's errors (through
// NewSQSJSON an *awsjson.APIError, through queue/sqssdk the SDK's typed
// errors such as *types.QueueDoesNotExist) and context errors stay
// reachable with errors.As and errors.Is.
func (q *SQS) Enqueue(ctx context.Context, m schema.Message) error {
	body, err := m.Encode()
	if err != nil {
		return fmt.Errorf("enqueue message %s: %w", safeID(m.MessageID), err)
	}
	return q.send(ctx, m.MessageID, body, map[string]Attribute{
		AttrVersion:     {DataType: "Number", StringValue: strconv.Itoa(m.Version)},
		AttrChallengeID: {DataType: "String", StringValue: m.ChallengeID},
	})
}

// send puts one encoded body on the queue; id names it in errors.
func (q *SQS) send(ctx context.Context, id string, body []byte, attrs map[string]Attribute) error {
	if err := q.sender.SendMessage(ctx, q.queueURL, string(body), attrs); err != nil {
		return fmt.Errorf("enqueue message %s on SQS: %w", id, err)
	}
	return nil
}

// jsonSender is SendMessage in SQS's JSON protocol, with the members the
// API reference names.
type jsonSender struct{ api JSONAPI }

func (s jsonSender) SendMessage(ctx context.Context, queueURL, body string, attrs map[string]Attribute) error {
	in := struct {
		QueueUrl          string
		MessageBody       string
		MessageAttributes map[string]Attribute `json:",omitempty"`
	}{QueueUrl: queueURL, MessageBody: body, MessageAttributes: attrs}
	var out struct{ MessageId string }
	return s.api.Call(ctx, "SendMessage", in, &out)
}

// safeID returns id for an error message if it has the shape of a message
// id. A message that failed validation may carry anything in that field,
// a phone number included, so it is not echoed.
func safeID(id string) string {
	if charclass.HexLower.Match(id, 32, 32) { // ^[0-9a-f]{32}$
		return id
	}
	return "(invalid id)"
}
