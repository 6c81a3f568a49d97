package worker_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// queues creates a queue and its dead-letter queue in fauxqs, with redrive
// after maxReceive receives (the safety net for a worker that dies).
func queues(t testing.TB, client *sqs.Client, maxReceive int, visibility int) (url, dlq string) {
	t.Helper()
	ctx := context.Background()
	d, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("sms-dlq"))})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: d.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String(testenv.UniqueName("sms")),
		Attributes: map[string]string{
			"VisibilityTimeout": fmt.Sprint(visibility),
			"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, attrs.Attributes["QueueArn"], maxReceive),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl), aws.ToString(d.QueueUrl)
}

func send(t testing.TB, client *sqs.Client, url string, body []byte) {
	t.Helper()
	if _, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
}

// drain receives everything visible on url (with attributes) and deletes it.
func drain(t testing.TB, client *sqs.Client, url string) []types.Message {
	t.Helper()
	var all []types.Message
	for {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return all
		}
		for _, m := range out.Messages {
			client.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
		all = append(all, out.Messages...)
	}
}

func newDriver(t testing.TB, h *harness, client *sqs.Client, url, dlq string) *worker.Driver {
	t.Helper()
	d, err := worker.NewDriver(h.worker, client, url, dlq)
	if err != nil {
		t.Fatal(err)
	}
	d.WaitTime = 0
	return d
}

func fastRetries() worker.Config {
	cfg := worker.DefaultConfig()
	cfg.BackoffBase, cfg.BackoffMax = 200*time.Millisecond, 800*time.Millisecond
	return cfg
}

func TestPollerSendsDeletesAndDeadLetters(t *testing.T) {
	client := testenv.SQS(t)
	url, dlq := queues(t, client, 10, 30)
	p := &fakeProvider{name: "fake", delay: 50 * time.Millisecond}
	h := newAWSHarness(t, worker.DefaultConfig(), p)
	body, _, _ := h.message()
	send(t, client, url, body)
	send(t, client, url, body) // the same job twice, handled at once: one SMS
	send(t, client, url, []byte("not json"))
	d := newDriver(t, h, client, url, dlq)
	for n := 0; n < 3; {
		got, err := d.PollOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += got
	}
	if len(p.Sent()) != 1 {
		t.Errorf("%d SMS sent for one job delivered twice", len(p.Sent()))
	}
	if left := drain(t, client, url); len(left) != 0 {
		t.Errorf("%d messages left on the queue", len(left))
	}
	dead := drain(t, client, dlq)
	if len(dead) != 1 || aws.ToString(dead[0].Body) != "not json" {
		t.Fatalf("dead-letter queue holds %d messages", len(dead))
	}
	attrs := dead[0].MessageAttributes
	if aws.ToString(attrs[worker.AttrReason].StringValue) != worker.ReasonMalformed || aws.ToString(attrs[worker.AttrSourceMessageID].StringValue) == "" {
		t.Errorf("dead letter attributes: reason %q, source %q", aws.ToString(attrs[worker.AttrReason].StringValue), aws.ToString(attrs[worker.AttrSourceMessageID].StringValue))
	}
}

// A transient failure hands the message back with a delay; SQS redelivers
// it after that, and the retry sends.
func TestPollerRedeliversAfterBackoff(t *testing.T) {
	client := testenv.SQS(t)
	url, dlq := queues(t, client, 10, 30)
	p := &fakeProvider{name: "fake", fail: func(n int, _ providers.Message) error {
		if n == 1 {
			return transient("503")
		}
		return nil
	}}
	h := newHarness(t, fastRetries(), p)
	body, _, _ := h.message()
	send(t, client, url, body)
	d := newDriver(t, h, client, url, dlq)
	if _, err := d.PollOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.PollOnce(context.Background()); n != 0 {
		t.Error("the message came back before its retry delay")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(p.Sent()) == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		d.PollOnce(context.Background())
	}
	if len(p.Sent()) != 1 {
		t.Fatalf("sent %d after a retry, want 1", len(p.Sent()))
	}
}

// A worker that dies before deleting: SQS moves the message to the
// dead-letter queue after maxReceiveCount receives (the redrive safety net).
func TestRedriveAfterMaxReceiveCount(t *testing.T) {
	client := testenv.SQS(t)
	url, dlq := queues(t, client, 2, 1)
	send(t, client, url, []byte(`{"version":1}`))
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) > 0 {
				break
			}
		}
	}
	var dead []types.Message
	deadline := time.Now().Add(5 * time.Second)
	for len(dead) == 0 && time.Now().Before(deadline) {
		client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
		dead = drain(t, client, dlq)
	}
	if len(dead) != 1 {
		t.Errorf("dead-letter queue holds %d messages after 2 abandoned receives", len(dead))
	}
}

func TestHandleSQSReportsOnlyFailures(t *testing.T) {
	client := testenv.SQS(t)
	url, dlq := queues(t, client, 10, 30)
	var failTo string
	p := &fakeProvider{name: "fake", fail: func(_ int, m providers.Message) error {
		if m.To == failTo {
			return transient("503")
		}
		return nil
	}}
	h := newHarness(t, fastRetries(), p)
	failing, fm, _ := h.message()
	failTo = fm.To
	ok, _, _ := h.message()
	send(t, client, url, failing)
	out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive: %v", err)
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: aws.ToString(out.Messages[0].MessageId), ReceiptHandle: aws.ToString(out.Messages[0].ReceiptHandle), Body: string(failing)},
		{MessageId: "poison", ReceiptHandle: "poison-handle", Body: `{"version":9}`},
		{MessageId: "ok", ReceiptHandle: "ok-handle", Body: string(ok)},
	}}
	d := newDriver(t, h, client, url, dlq)
	resp, err := d.HandleSQS(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[0].MessageId {
		t.Errorf("batch item failures %+v, want only the transient one", resp.BatchItemFailures)
	}
	if dead := drain(t, client, dlq); len(dead) != 1 || aws.ToString(dead[0].MessageAttributes[worker.AttrReason].StringValue) != worker.ReasonUnsupported {
		t.Errorf("poison message not dead-lettered with its reason")
	}
	// Its visibility was set to the backoff: it is back within a few seconds.
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
		if len(out.Messages) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed message did not come back after its retry delay")
		}
	}
}

// The fault run: the provider fails 30% of calls transiently. Every message
// ends sent exactly once or in the dead-letter queue with a reason; none is
// lost, none is sent twice.
func TestFaultRun(t *testing.T) {
	const n = 200
	client := testenv.SQS(t)
	url, dlq := queues(t, client, 50, 30)
	rng := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	p := &fakeProvider{name: "fake", fail: func(int, providers.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() < 0.3 {
			return transient("503")
		}
		return nil
	}}
	h := newAWSHarness(t, fastRetries(), p)
	want := map[string]bool{}
	for range n {
		body, m, _ := h.message()
		want[m.To] = true
		send(t, client, url, body)
	}
	d := newDriver(t, h, client, url, dlq)
	var dead []types.Message
	deadline := time.Now().Add(90 * time.Second)
	distinct := func() int {
		seen := map[string]bool{}
		for _, m := range p.Sent() {
			seen[m.To] = true
		}
		return len(seen)
	}
	for distinct()+len(dead) < n && time.Now().Before(deadline) {
		if got, err := d.PollOnce(context.Background()); err != nil {
			t.Fatal(err)
		} else if got == 0 {
			time.Sleep(250 * time.Millisecond)
		}
		dead = append(dead, drain(t, client, dlq)...)
	}
	sentTo := map[string]int{}
	for _, m := range p.Sent() {
		sentTo[m.To]++
	}
	twice := 0
	for _, c := range sentTo {
		if c > 1 {
			twice++
		}
	}
	for _, m := range dead {
		if aws.ToString(m.MessageAttributes[worker.AttrReason].StringValue) == "" {
			t.Error("a dead letter without a reason")
		}
		dm, err := schema.DecodeMessage([]byte(aws.ToString(m.Body)))
		if err != nil {
			t.Fatal(err)
		}
		if sentTo[dm.To] > 0 {
			t.Errorf("a message was both sent and dead-lettered")
		}
	}
	p.mu.Lock()
	calls := p.calls
	p.mu.Unlock()
	t.Logf("fault run: %d messages, %d provider calls, %d sent once, %d sent twice, %d dead-lettered, %d lost",
		n, calls, len(sentTo), twice, len(dead), n-len(sentTo)-len(dead))
	if twice != 0 || len(sentTo)+len(dead) != n {
		t.Errorf("not every message was sent exactly once or dead-lettered")
	}
}

// The same message handled by 10 workers at once, with claims in DynamoDB
// Local: one SMS.
func TestConcurrentDuplicatesOnDynamoDB(t *testing.T) {
	p := &fakeProvider{name: "fake", delay: 20 * time.Millisecond}
	h := newAWSHarness(t, worker.DefaultConfig(), p)
	body, _, _ := h.message()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { h.process(body) })
	}
	wg.Wait()
	if n := len(p.Sent()); n != 1 {
		t.Errorf("%d SMS sent by 10 concurrent deliveries, want 1", n)
	}
}

// A shutdown while a batch is being sent: the batch is finished and
// recorded, so the message is neither lost nor sent again.
func TestPollerFinishesTheBatchOnShutdown(t *testing.T) {
	client := testenv.SQS(t)
	url, dlq := queues(t, client, 10, 30)
	p := &fakeProvider{name: "fake", delay: 300 * time.Millisecond}
	h := newAWSHarness(t, worker.DefaultConfig(), p)
	body, m, _ := h.message()
	send(t, client, url, body)
	d := newDriver(t, h, client, url, dlq)
	d.WaitTime = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(p.calledSnapshot()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel() // SIGTERM while the provider call is under way
	}()
	if _, err := d.PollOnce(ctx); err != nil {
		t.Fatalf("PollOnce: %v", err)
	}
	if len(p.Sent()) != 1 {
		t.Fatalf("sent %d, want the in-flight send to finish", len(p.Sent()))
	}
	if st := h.challenge(m.ChallengeID).Delivery.State; st != otp.DeliverySent {
		t.Errorf("delivery state %s after shutdown, want sent", st)
	}
	if left := drain(t, client, url); len(left) != 0 {
		t.Errorf("%d messages left: the sent one must be deleted", len(left))
	}
}
