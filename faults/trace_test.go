package faults_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// sqsTrace wraps the worker's SQS client and notes, per challenge, every
// receive, delete, visibility change and send the worker made and how it
// ended: where a number's messages went when the tally cannot find them.
type sqsTrace struct {
	worker.SQSAPI
	start time.Time

	mu      sync.Mutex
	handles map[string]string // receipt handle -> challenge id
	events  map[string][]string
}

func newSQSTrace(c worker.SQSAPI) *sqsTrace {
	return &sqsTrace{SQSAPI: c, start: time.Now(), handles: map[string]string{}, events: map[string][]string{}}
}

func (t *sqsTrace) note(challenge, format string, args ...any) {
	if challenge == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	at := time.Since(t.start).Round(10 * time.Millisecond)
	t.events[challenge] = append(t.events[challenge], fmt.Sprintf("%s %s", at, fmt.Sprintf(format, args...)))
}

func (t *sqsTrace) of(handle string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.handles[handle]
}

// challengeOf is the challenge a message body names, or "".
func challengeOf(body string) string {
	m, err := schema.DecodeMessage([]byte(body))
	if err != nil {
		return ""
	}
	return m.ChallengeID
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return "ERR " + err.Error()
}

func (t *sqsTrace) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := t.SQSAPI.ReceiveMessage(ctx, in, optFns...)
	if err != nil {
		return out, err
	}
	for _, m := range out.Messages {
		ch := challengeOf(aws.ToString(m.Body))
		t.mu.Lock()
		t.handles[aws.ToString(m.ReceiptHandle)] = ch
		t.mu.Unlock()
		t.note(ch, "receive sqs=%.8s handle=%.8s", aws.ToString(m.MessageId), aws.ToString(m.ReceiptHandle))
	}
	return out, err
}

func (t *sqsTrace) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	out, err := t.SQSAPI.DeleteMessageBatch(ctx, in, optFns...)
	for _, e := range in.Entries {
		h := aws.ToString(e.ReceiptHandle)
		t.note(t.of(h), "delete handle=%.8s: %s", h, errText(err))
	}
	return out, err
}

func (t *sqsTrace) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	out, err := t.SQSAPI.ChangeMessageVisibility(ctx, in, optFns...)
	h := aws.ToString(in.ReceiptHandle)
	t.note(t.of(h), "visibility %ds handle=%.8s: %s", in.VisibilityTimeout, h, errText(err))
	return out, err
}

func (t *sqsTrace) SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	out, err := t.SQSAPI.SendMessage(ctx, in, optFns...)
	t.note(challengeOf(aws.ToString(in.MessageBody)), "send to %s: %s", lastPart(aws.ToString(in.QueueUrl)), errText(err))
	return out, err
}

func lastPart(url string) string { return url[strings.LastIndex(url, "/")+1:] }

// story is what happened to a challenge's messages, and the worker's log
// lines that name it.
func (t *sqsTrace) story(challenge, logs string) string {
	t.mu.Lock()
	ev := append([]string(nil), t.events[challenge]...)
	t.mu.Unlock()
	var b strings.Builder
	for _, e := range ev {
		fmt.Fprintf(&b, "\n    sqs: %s", e)
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, challenge) {
			fmt.Fprintf(&b, "\n    log: %s", line)
		}
	}
	return b.String()
}

// noteChallenge remembers the challenge Create answered phone with.
func (s *stack) noteChallenge(phone, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.challenges == nil {
		s.challenges = map[string]string{}
	}
	s.challenges[phone] = id
}

// explainMissing logs, for each number with no SMS, no dead letter and no
// message left, its challenge's state in the store and its story.
func (s *stack) explainMissing(out outcome, trace *sqsTrace) {
	logs := ""
	for p, got := range out.sms {
		if len(got) > 0 || out.dead[p] != "" || out.late[p] {
			continue
		}
		if logs == "" {
			logs = s.logs.String() // large in a long run: read only when needed
		}
		id := s.answered(p)
		c, err := s.direct.GetChallenge(context.Background(), id)
		s.t.Logf("missing: challenge %s: store err=%v voided=%v consumed=%v delivery=%s attempts=%d at=%s%s",
			id, err, c.Voided, c.Consumed, c.Delivery.State, c.Delivery.Attempts, c.Delivery.At.Format("15:04:05.000"), trace.story(id, logs))
	}
}

// answered is the challenge Create answered phone with.
func (s *stack) answered(phone string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.challenges[phone]
}
