package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

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

// SQSAPI is the part of *sqs.Client that SQS uses.
type SQSAPI interface {
	SendMessage(ctx context.Context, params *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// JSONAPI calls one operation of SQS's JSON protocol (*awsjson.Client of
// awsjson.SQS). The trigger functions send through it: SendMessage is all
// they call, and the generated SQS client adds about 0.4 MB to a binary.
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
	client   SQSAPI  // or
	api      JSONAPI // one of the two is set
	queueURL string
}

// NewSQS returns an SQS that sends to queueURL through client.
func NewSQS(client SQSAPI, queueURL string) (*SQS, error) {
	if client == nil {
		return nil, errors.New("queue: SQS client is nil")
	}
	if err := checkURL(queueURL); err != nil {
		return nil, err
	}
	return &SQS{client: client, queueURL: queueURL}, nil
}

// NewSQSJSON returns an SQS that sends to queueURL through api: the same
// messages as NewSQS's, without the generated client.
func NewSQSJSON(api JSONAPI, queueURL string) (*SQS, error) {
	if api == nil {
		return nil, errors.New("queue: SQS client is nil")
	}
	if err := checkURL(queueURL); err != nil {
		return nil, err
	}
	return &SQS{api: api, queueURL: queueURL}, nil
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
// the message id, never the phone number; the SDK's typed errors (such as
// *types.QueueDoesNotExist), or through NewSQSJSON an *awsjson.APIError
// with that code, and context errors stay reachable with errors.As and
// errors.Is.
func (q *SQS) Enqueue(ctx context.Context, m schema.Message) error {
	body, err := m.Encode()
	if err != nil {
		return fmt.Errorf("enqueue message %s: %w", safeID(m.MessageID), err)
	}
	return q.send(ctx, m.MessageID, body, map[string]types.MessageAttributeValue{
		AttrVersion:     {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(m.Version))},
		AttrChallengeID: {DataType: aws.String("String"), StringValue: aws.String(m.ChallengeID)},
	})
}

// send puts one encoded body on the queue; id names it in errors.
func (q *SQS) send(ctx context.Context, id string, body []byte, attrs map[string]types.MessageAttributeValue) error {
	var err error
	if q.api != nil {
		err = q.sendJSON(ctx, body, attrs)
	} else {
		_, err = q.client.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl:          aws.String(q.queueURL),
			MessageBody:       aws.String(string(body)),
			MessageAttributes: attrs,
		})
	}
	if err != nil {
		return fmt.Errorf("enqueue message %s on SQS: %w", id, err)
	}
	return nil
}

// sendJSON is SendMessage in SQS's JSON protocol, with the members the
// API reference names.
func (q *SQS) sendJSON(ctx context.Context, body []byte, attrs map[string]types.MessageAttributeValue) error {
	type attr struct {
		DataType    string
		StringValue string `json:",omitempty"`
	}
	in := struct {
		QueueUrl          string
		MessageBody       string
		MessageAttributes map[string]attr `json:",omitempty"`
	}{QueueUrl: q.queueURL, MessageBody: string(body), MessageAttributes: map[string]attr{}}
	for name, a := range attrs {
		in.MessageAttributes[name] = attr{DataType: aws.ToString(a.DataType), StringValue: aws.ToString(a.StringValue)}
	}
	var out struct{ MessageId string }
	return q.api.Call(ctx, "SendMessage", in, &out)
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
