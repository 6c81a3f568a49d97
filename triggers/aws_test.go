package triggers_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue/sqssdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/storetest"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newAWSHarness wires the triggers to DynamoDB Local and fauxqs.
func newAWSHarness(t testing.TB, opts ...option) *harness {
	return newAWSHarnessCounting(t, nil, nil, opts...)
}

// newAWSHarnessCounting is newAWSHarness with the triggers' DynamoDB and
// SQS requests going through the given counters (nil: not counted).
func newAWSHarnessCounting(t testing.TB, ddb, sqsCount *testenv.CountingTransport, opts ...option) *harness {
	t.Helper()
	setup := testenv.DynamoDB(t)
	table := dynamotest.NewTable(t, setup)
	st, err := dynamo.New(testenv.DynamoDBWith(t, counted(ddb)), table)
	if err != nil {
		t.Fatal(err)
	}
	sq := testenv.SQS(t)
	url := newQueue(t, sq)
	q, err := sqssdk.New(testenv.SQSWith(t, counted(sqsCount)), url)
	if err != nil {
		t.Fatal(err)
	}
	// DynamoDB Local enforces TTL within seconds: keep the clock near real
	// time so items are not deleted under the test (the hour start keeps
	// the send-cap windows aligned as in the in-memory tests).
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Hour))
	return newHarnessWith(t, clk, st, q, func() []schema.Message { return receiveAll(t, sq, url) }, testSecret, opts...)
}

func counted(c *testenv.CountingTransport) *http.Client {
	if c == nil {
		return nil
	}
	return c.Client()
}

func newQueue(t testing.TB, sq *sqs.Client) string {
	t.Helper()
	out, err := sq.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("sms"))})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	return aws.ToString(out.QueueUrl)
}

// receiveAll takes every message on the queue, as the worker would.
func receiveAll(t testing.TB, sq *sqs.Client, url string) []schema.Message {
	t.Helper()
	var msgs []schema.Message
	for {
		out, err := sq.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
		})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if len(out.Messages) == 0 {
			return msgs
		}
		for _, m := range out.Messages {
			dec, err := schema.DecodeMessage([]byte(aws.ToString(m.Body)))
			if err != nil {
				t.Fatalf("decode queued message: %v", err)
			}
			msgs = append(msgs, dec)
			if _, err := sq.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete: %v", err)
			}
		}
	}
}

// TestSignInOnDynamoDBAndSQS is a whole sign-in: Define, Create (code on the
// queue), a wrong answer, Define, Create (same code, no SMS), the right
// answer, Define issues tokens.
func TestSignInOnDynamoDBAndSQS(t *testing.T) {
	h := newAWSHarness(t)
	def, err := invoke(t, h.define.Handle, fixture(t, "define/empty-session.json"))
	if err != nil || def.Response.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("Define: %+v, %v", def.Response, err)
	}
	id, code := h.newCode()
	if h.answer(id, wrongCode(code)) {
		t.Fatal("wrong code accepted")
	}
	def, _ = invoke(t, h.define.Handle, fixture(t, "define/one-wrong.json"))
	if def.Response.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("Define after one wrong answer: %+v", def.Response)
	}
	if again := challengeID(t, h.createOK("first-round.json")); again != id {
		t.Errorf("second round: challenge %s, want %s", again, id)
	}
	h.noMessage()
	if !h.answer(id, code) {
		t.Fatal("right code refused")
	}
	def, _ = invoke(t, h.define.Handle, fixture(t, "define/last-succeeded.json"))
	if !def.Response.IssueTokens {
		t.Errorf("Define after the right answer: %+v", def.Response)
	}
	if h.answer(id, code) {
		t.Error("code accepted twice")
	}
	h.noCodeInLogs(code)
}

// 50 concurrent wrong answers against DynamoDB Local never pass the cap;
// of concurrent right answers exactly one wins.
func TestConcurrentAnswersOnDynamoDB(t *testing.T) {
	h := newAWSHarness(t)
	id, code := h.newCode()
	var wg sync.WaitGroup
	var accepted atomic.Int64
	for range 50 {
		wg.Go(func() {
			if h.answerErr(id, wrongCode(code)) {
				accepted.Add(1)
			}
		})
	}
	wg.Wait()
	if accepted.Load() != 0 || h.attempts(id) != 3 {
		t.Fatalf("after 50 wrong answers: %d accepted, attempts %d (cap 3)", accepted.Load(), h.attempts(id))
	}

	id, code = h.newCodeAfterCooldown()
	for range 20 {
		wg.Go(func() {
			if h.answerErr(id, code) {
				accepted.Add(1)
			}
		})
	}
	wg.Wait()
	if accepted.Load() != 1 {
		t.Errorf("%d concurrent right answers won, want exactly 1", accepted.Load())
	}
}

// answerErr is answer for goroutines: it reports errors without Fatal.
func (h *harness) answerErr(id, answer string) bool {
	ev, err := h.verify.Handle(context.Background(), verifyEventFor(h.t, id, answer))
	if err != nil {
		h.t.Errorf("Verify: %v", err)
	}
	return ev.Response.AnswerCorrect
}

func (h *harness) newCodeAfterCooldown() (string, string) {
	h.t.Helper()
	h.clock.Advance(h.cfg.Policy.ResendCooldown)
	return h.newCode()
}

// Cognito retries Create while the first attempt still runs: all attempts
// end on one challenge, one SMS goes out and one unit of quota is used.
func TestConcurrentCreatesOnDynamoDB(t *testing.T) {
	h := newAWSHarness(t)
	ids := make([]string, 5)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			ev, err := h.create.Handle(context.Background(), createEventFixture(h.t, "first-round.json"))
			if err != nil {
				h.t.Errorf("Create %d: %v", i, err)
				return
			}
			ids[i] = ev.Response.PrivateChallengeParameters["challengeId"]
		})
	}
	wg.Wait()
	msgs := h.inbox()
	if len(msgs) != 1 {
		t.Fatalf("%d SMS enqueued by 5 concurrent Creates, want 1", len(msgs))
	}
	for i, id := range ids {
		if id != msgs[0].ChallengeID {
			t.Errorf("create %d answered challenge %q, but the SMS is for %s", i, id, msgs[0].ChallengeID)
		}
	}
	// One unit of the 5-per-15-minutes quota was used: 4 more codes pass.
	for range 4 {
		h.clock.Advance(h.cfg.Policy.ResendCooldown)
		h.createOK("first-round.json")
	}
	h.clock.Advance(h.cfg.Policy.ResendCooldown)
	if got := h.createRefused("first-round.json"); !strings.HasPrefix(got, "OTP_RATE_LIMITED") {
		t.Errorf("6th code: %q", got)
	}
}

// The conformance suite tests the method set the triggers use: keep the
// two declarations identical.
var (
	_ triggers.Store  = storetest.Store(nil)
	_ storetest.Store = triggers.Store(nil)
	_ triggers.Store  = (*dynamo.Store)(nil)
	_ triggers.Queue  = (*queue.SQS)(nil)
	_ triggers.Queue  = (*queue.Mem)(nil)
)
