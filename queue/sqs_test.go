package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue/sqssdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The enqueue shape callers (the Create trigger) will define; both adapters fit it.
type enqueuer interface {
	Enqueue(ctx context.Context, m schema.Message) error
}

var (
	_ enqueuer = (*queue.SQS)(nil)
	_ enqueuer = (*queue.Mem)(nil)
)

const testPhone = "+14155550123"

var testNow = time.Date(2025, 11, 25, 17, 0, 0, 0, time.UTC)

// newMessage returns a valid v1 message to `to` with fresh ids.
func newMessage(t testing.TB, to, locale string) schema.Message {
	t.Helper()
	kr, err := otp.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	msgID, err := otp.NewID(nil)
	if err != nil {
		t.Fatalf("NewID: %v", err)
	}
	challengeID, err := otp.NewID(nil)
	if err != nil {
		t.Fatalf("NewID: %v", err)
	}
	m, err := schema.NewMessage(kr, msgID, challengeID, to, locale, "123456", testNow, testNow.Add(3*time.Minute))
	if err != nil {
		t.Fatalf("NewMessage: %v", err)
	}
	return m
}

// createQueue creates a standard queue on fauxqs, deleted when the test ends.
func createQueue(t *testing.T, client *sqs.Client) string {
	t.Helper()
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("queue"))})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	t.Cleanup(func() {
		if _, err := client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}); err != nil {
			t.Errorf("DeleteQueue: %v", err)
		}
	})
	return aws.ToString(out.QueueUrl)
}

// assertNoPhone fails if err's text holds the phone number, with or without '+'.
func assertNoPhone(t *testing.T, err error, phone string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), strings.TrimPrefix(phone, "+")) {
		t.Errorf("error %q contains the phone number", err)
	}
}

func TestNewSQS(t *testing.T) {
	client := sqs.New(sqs.Options{Region: "us-east-1"})
	tests := []struct {
		name     string
		client   sqssdk.SQSAPI
		queueURL string
		wantErr  bool
	}{
		{"valid", client, "https://sqs.us-east-1.amazonaws.com/123456789012/otp-sms", false},
		{"nil client", nil, "https://sqs.us-east-1.amazonaws.com/123456789012/otp-sms", true},
		{"empty URL", client, "", true},
		{"blank URL", client, "  ", true},
		{"FIFO queue", client, "https://sqs.us-east-1.amazonaws.com/123456789012/otp-sms.fifo", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := sqssdk.New(tt.client, tt.queueURL)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewSQS error = %v, want error %t", err, tt.wantErr)
			}
			if (q == nil) == !tt.wantErr {
				t.Errorf("NewSQS returned %v with error %v", q, err)
			}
		})
	}
}

// TestSQSEnqueue sends real messages through fauxqs and reads them back.
// senders builds an SQS both ways: through the SDK's client (NewSQS) and
// through the JSON protocol client the trigger functions use (NewSQSJSON).
var senders = []struct {
	name string
	new  func(t *testing.T, hc *http.Client, url string) (*queue.SQS, error)
}{
	{"sdk", func(t *testing.T, hc *http.Client, url string) (*queue.SQS, error) {
		return sqssdk.New(testenv.SQSWith(t, hc), url)
	}},
	{"json", func(t *testing.T, hc *http.Client, url string) (*queue.SQS, error) {
		return queue.NewSQSJSON(awsjson.New(aws.Config{
			Region:           "us-east-1",
			BaseEndpoint:     aws.String(testenv.SQSEndpoint(t)),
			Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
			HTTPClient:       hc,
			RetryMaxAttempts: 1,
		}, awsjson.SQS), url)
	}},
}

func TestSQSEnqueue(t *testing.T) {
	admin := testenv.SQS(t)
	tests := []struct {
		name, to, locale string
	}{
		{"US number", testPhone, "en"},
		{"German mobile, region locale", "+4915112345678", "de-DE"},
		{"shortest E.164", "+3524621", "pt-BR"},
		{"longest E.164", "+861391234567890", "zh-Hans-CN"},
	}
	for _, sender := range senders {
		for _, tt := range tests {
			t.Run(sender.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				enqueueAndCheck(t, admin, sender.new, tt.to, tt.locale)
			})
		}
	}
}

// enqueueAndCheck enqueues one message for to and checks what arrived.
func enqueueAndCheck(t *testing.T, admin *sqs.Client, newSQS func(*testing.T, *http.Client, string) (*queue.SQS, error), to, locale string) {
	t.Helper()
	tt := struct{ to, locale string }{to, locale}
	ctx := context.Background()
	url := createQueue(t, admin)
	ct := &testenv.CountingTransport{}
	q, err := newSQS(t, ct.Client(), url)
	if err != nil {
		t.Fatalf("NewSQS: %v", err)
	}
	want := newMessage(t, tt.to, tt.locale)

	if err := q.Enqueue(ctx, want); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if n := ct.Count(); n != 1 {
		t.Errorf("Enqueue sent %d requests, want 1", n)
	}

	out, err := admin.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(url),
		MaxNumberOfMessages:         10,
		WaitTimeSeconds:             2,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("ReceiveMessage got %d messages, want 1", len(out.Messages))
	}
	got := out.Messages[0]
	body := aws.ToString(got.Body)

	decoded, err := schema.DecodeMessage([]byte(body))
	if err != nil {
		t.Fatalf("DecodeMessage(body): %v", err)
	}
	if diff := cmp.Diff(want, decoded); diff != "" {
		t.Errorf("decoded body mismatch (-enqueued +received):\n%s", diff)
	}

	type attr struct{ DataType, StringValue string }
	gotAttrs := map[string]attr{}
	for name, v := range got.MessageAttributes {
		gotAttrs[name] = attr{aws.ToString(v.DataType), aws.ToString(v.StringValue)}
		if v.BinaryValue != nil {
			t.Errorf("attribute %s has a binary value", name)
		}
	}
	wantAttrs := map[string]attr{
		queue.AttrVersion:     {"Number", "1"},
		queue.AttrChallengeID: {"String", want.ChallengeID},
	}
	if diff := cmp.Diff(wantAttrs, gotAttrs); diff != "" {
		t.Errorf("message attributes mismatch (-want +got):\n%s", diff)
	}

	// The number may appear in the body's "to" and nowhere else.
	digits := strings.TrimPrefix(tt.to, "+")
	for name, v := range got.MessageAttributes {
		if strings.Contains(aws.ToString(v.StringValue), digits) || strings.Contains(string(v.BinaryValue), digits) {
			t.Errorf("message attribute %s holds the phone number", name)
		}
	}
	for name, v := range got.Attributes {
		if strings.Contains(v, digits) {
			t.Errorf("system attribute %s holds the phone number", name)
		}
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(body), &fields); err != nil {
		t.Fatalf("body is not a JSON object: %v", err)
	}
	if fields["to"] != tt.to {
		t.Errorf(`body "to" = %v, want %s`, fields["to"], tt.to)
	}
	for k, v := range fields {
		if k != "to" && strings.Contains(fmt.Sprint(v), digits) {
			t.Errorf("body field %q holds the phone number", k)
		}
	}
}

func TestSQSEnqueueErrors(t *testing.T) {
	admin := testenv.SQS(t)

	// A queue URL of the real shape whose queue is gone.
	goneURL := func(t *testing.T) string {
		out, err := admin.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("queue-gone"))})
		if err != nil {
			t.Fatalf("CreateQueue: %v", err)
		}
		if _, err := admin.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}); err != nil {
			t.Fatalf("DeleteQueue: %v", err)
		}
		return aws.ToString(out.QueueUrl)
	}
	cancelled := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}

	tests := []struct {
		name         string
		queueURL     func(t *testing.T) string
		ctx          func() context.Context
		edit         func(m *schema.Message)
		check        func(t *testing.T, err error)
		wantRequests int64 // -1: not checked
		wantID       bool  // the error names the message id
	}{
		{
			name:     "queue does not exist",
			queueURL: goneURL,
			check: func(t *testing.T, err error) {
				// The SDK's typed error, or the JSON client's with that code.
				var qdne *types.QueueDoesNotExist
				var api *awsjson.APIError
				if !errors.As(err, &qdne) && !(errors.As(err, &api) && api.Code == "QueueDoesNotExist") {
					t.Errorf("error %v (%T) is not a *types.QueueDoesNotExist", err, err)
				}
			},
			wantRequests: 1, // not retried: the SDK treats it as permanent
			wantID:       true,
		},
		{
			name: "context cancelled",
			ctx:  cancelled,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error %v is not context.Canceled", err)
				}
			},
			wantRequests: -1,
			wantID:       true,
		},
		{
			name: "invalid message is not sent",
			edit: func(m *schema.Message) { m.To = strings.TrimPrefix(m.To, "+") },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, schema.ErrMalformed) {
					t.Errorf("error %v is not schema.ErrMalformed", err)
				}
			},
			wantRequests: 0,
			wantID:       true,
		},
		{
			name: "phone number in the id field is not echoed",
			edit: func(m *schema.Message) { m.MessageID = m.To },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, schema.ErrMalformed) {
					t.Errorf("error %v is not schema.ErrMalformed", err)
				}
			},
			wantRequests: 0,
		},
	}
	for _, sender := range senders {
		for _, tt := range tests {
			t.Run(sender.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				url := ""
				if tt.queueURL != nil {
					url = tt.queueURL(t)
				} else {
					url = createQueue(t, admin)
				}
				ctx := context.Background()
				if tt.ctx != nil {
					ctx = tt.ctx()
				}
				m := newMessage(t, testPhone, "en")
				if tt.edit != nil {
					tt.edit(&m)
				}
				ct := &testenv.CountingTransport{}
				q, err := sender.new(t, ct.Client(), url)
				if err != nil {
					t.Fatalf("NewSQS: %v", err)
				}

				start := time.Now()
				err = q.Enqueue(ctx, m)
				elapsed := time.Since(start)

				if err == nil {
					t.Fatal("Enqueue succeeded, want an error")
				}
				tt.check(t, err)
				assertNoPhone(t, err, testPhone)
				if tt.wantID && !strings.Contains(err.Error(), m.MessageID) {
					t.Errorf("error %q does not name message %s", err, m.MessageID)
				}
				if tt.wantRequests >= 0 && ct.Count() != tt.wantRequests {
					t.Errorf("Enqueue sent %d requests, want %d", ct.Count(), tt.wantRequests)
				}
				// Generous for a loaded machine; a hang or a retry loop with backoff takes longer.
				if elapsed > 2*time.Second {
					t.Errorf("Enqueue took %s to fail, want under 2s", elapsed)
				}
			})
		}
	}
}
