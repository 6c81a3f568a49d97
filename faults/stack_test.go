package faults_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue/sqssdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	testSecret = "faults-test-secret-0123456789abcdef-0123456789"
	clientID   = "4rlkd0dbrvmsmdmr7h5gb2kcg9"
)

// long reports whether the long runs were asked for (scripts/faults -long).
func long() bool { return os.Getenv("OTP_FAULTS_LONG") == "1" }

// seed is OTP_FAULTS_SEED, or 1: a failing run repeats with its seed.
func seed(t testing.TB) uint64 {
	s, err := strconv.ParseUint(os.Getenv("OTP_FAULTS_SEED"), 10, 64)
	if err != nil {
		s = 1
	}
	t.Logf("seed %d (OTP_FAULTS_SEED)", s)
	return s
}

// dynamoAt and sqsAt build clients as the functions do: awsinit's retry
// policy (one retry after a short pause).
func dynamoAt(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Retryer: awsinit.Retryer(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		// DynamoDB Local sends no x-amz-crc32 on its 400 answers.
		DisableValidateResponseChecksum: true,
	})
}

func sqsAt(endpoint string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Retryer: awsinit.Retryer(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// stack is one table and one queue (with its dead-letter queue), each
// reachable directly (for the test's own reads) and through a fault proxy
// (for the code under test).
type stack struct {
	t              testing.TB
	ddbProxy       *faultproxy.Proxy
	sqsProxy       *faultproxy.Proxy
	direct, faulty *dynamo.Store
	sqsDirect      *sqs.Client
	sqsFaulty      *sqs.Client
	queueURL, dlq  string
	logs           *testutil.SyncBuffer
	log            *slog.Logger

	mu         sync.Mutex
	challenges map[string]string // number -> the challenge its Create answered with
}

func newStack(t testing.TB, seed uint64, ddb, sq faultproxy.Config) *stack {
	t.Helper()
	ddb.Protocol, ddb.Seed = faultproxy.DynamoDB, seed
	sq.Protocol, sq.Seed = faultproxy.SQS, seed+1
	s := &stack{t: t, logs: &testutil.SyncBuffer{}}
	s.log = slog.New(slog.NewJSONHandler(s.logs, nil))
	table := dynamotest.NewTable(t, testenv.DynamoDB(t))
	s.ddbProxy = faultproxy.Start(t, testenv.DynamoDBEndpoint(t), ddb)
	s.sqsProxy = faultproxy.Start(t, testenv.SQSEndpoint(t), sq)
	var err error
	if s.direct, err = dynamo.New(dynamoAt(testenv.DynamoDBEndpoint(t)), table); err != nil {
		t.Fatal(err)
	}
	if s.faulty, err = dynamo.New(dynamoAt(s.ddbProxy.URL), table); err != nil {
		t.Fatal(err)
	}
	s.sqsDirect, s.sqsFaulty = sqsAt(testenv.SQSEndpoint(t)), sqsAt(s.sqsProxy.URL)
	s.queueURL, s.dlq = newQueues(t, s.sqsDirect)
	t.Cleanup(s.checkLogs)
	return s
}

// newQueues makes a queue whose dead-letter queue takes a message after
// 20 receives (the worker dead-letters first, with its reason).
func newQueues(t testing.TB, c *sqs.Client) (url, dlq string) {
	t.Helper()
	ctx := context.Background()
	d, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("faults-dlq"))})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("faults")),
		Attributes: map[string]string{"VisibilityTimeout": "5"}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl), aws.ToString(d.QueueUrl)
}

// checkLogs: no full number and no secret in any log line.
func (s *stack) checkLogs() {
	logs := s.logs.String()
	if m := testutil.FullNumber.FindString(logs); m != "" {
		s.t.Errorf("logs hold a full number %s", m)
	}
	if containsAny(logs, testSecret, secretA, secretB) {
		s.t.Error("logs hold a secret")
	}
}

// triggerConfig is the default policy with caps out of the way (every
// sign-in here is a different number, and the global cap is not under test).
func triggerConfig() triggers.Config {
	cfg := triggers.DefaultConfig()
	cfg.Phone.AllowedCountries = []string{"US"}
	for i := range cfg.Policy.Caps {
		cfg.Policy.Caps[i].Max = 1 << 30
	}
	return cfg
}

// triggersOver wires Create and Verify to a store and queue.
func (s *stack) triggersOver(st triggers.Store, q triggers.Queue, keys triggers.Keys) (*triggers.Create, *triggers.Verify) {
	s.t.Helper()
	env := triggers.Env{Log: s.log}
	c, err := triggers.NewCreate(triggerConfig(), st, q, keys, env)
	if err != nil {
		s.t.Fatal(err)
	}
	v, err := triggers.NewVerify(triggerConfig(), st, keys, env)
	if err != nil {
		s.t.Fatal(err)
	}
	return c, v
}

func (s *stack) queueVia(c *sqs.Client) *queue.SQS {
	q, err := sqssdk.New(c, s.queueURL)
	if err != nil {
		s.t.Fatal(err)
	}
	return q
}

// number i is a distinct fictional US number (555-01xx is reserved for
// fiction; the exchange varies so there are 10,000 of them).
func number(i int) string { return fmt.Sprintf("+1415555%04d", i%10000) }

func createEvent(phone string) events.CognitoEventUserPoolsCreateAuthChallenge {
	var ev events.CognitoEventUserPoolsCreateAuthChallenge
	ev.Version, ev.Region, ev.UserPoolID = "1", "us-east-1", "us-east-1_AbCdEfGhI"
	ev.TriggerSource = "CreateAuthChallenge_Authentication"
	ev.UserName = "user-" + phone[1:]
	ev.CallerContext.ClientID = clientID
	ev.Request.UserAttributes = map[string]string{"phone_number": phone, "cognito:user_status": "CONFIRMED"}
	ev.Request.ChallengeName = triggers.ChallengeName
	ev.Request.Session = []*events.CognitoEventUserPoolsChallengeResult{}
	return ev
}

func verifyEvent(id, answer string) events.CognitoEventUserPoolsVerifyAuthChallenge {
	var ev events.CognitoEventUserPoolsVerifyAuthChallenge
	ev.Version, ev.Region, ev.UserPoolID = "1", "us-east-1", "us-east-1_AbCdEfGhI"
	ev.TriggerSource = "VerifyAuthChallengeResponse_Authentication"
	ev.CallerContext.ClientID = clientID
	ev.Request.PrivateChallengeParameters = map[string]string{triggers.ParamChallengeID: id}
	ev.Request.ChallengeAnswer = answer
	return ev
}

// queued is a message taken off a queue, with its code opened.
type queued struct {
	msg  schema.Message
	code string
}

// drain takes every message off url (directly, no faults) and opens each
// code with kr.
func (s *stack) drain(url string, kr *otp.Keyring) []queued {
	s.t.Helper()
	var out []queued
	for {
		res, err := s.sqsDirect.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			s.t.Fatal(err)
		}
		if len(res.Messages) == 0 {
			return out
		}
		for _, m := range res.Messages {
			dec, err := schema.DecodeMessage([]byte(aws.ToString(m.Body)))
			if err != nil {
				s.t.Fatalf("queued message: %v", err)
			}
			code, err := dec.OpenCode(kr)
			if err != nil {
				s.t.Fatalf("open queued code: %v", err)
			}
			out = append(out, queued{dec, code})
			if _, err := s.sqsDirect.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				s.t.Fatal(err)
			}
		}
	}
}

// parallel runs f(i) for i in [0,n) on w goroutines.
func parallel(n, w int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range w {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// rng is a seeded source for a test's own choices (which sign-ins Cognito
// retries, which answers are wrong), drawn before the goroutines start.
func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 42)) }

// keyring is the keyring of a fixed secret.
func keyring(t testing.TB, secret string) *otp.Keyring {
	t.Helper()
	kr, err := otp.ParseSecret([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func staticKeys(secret string) *otp.KeySource { return otp.NewKeySource(otp.StaticSecret(secret)) }

// within waits up to d for ok.
func within(d time.Duration, ok func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if ok() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return ok()
}
