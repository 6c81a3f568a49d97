package customsms_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/customsms/esdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue/sqssdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const poolID = "us-east-1_EXAMPLE1"

// newKey makes a symmetric key in local-kms and returns its ARN.
func newKey(t testing.TB, client *kms.Client) string {
	t.Helper()
	out, err := client.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("custom SMS sender test")})
	if err != nil {
		t.Fatalf("create KMS key: %v", err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

type staticKeys struct{ kr *otp.Keyring }

func (k staticKeys) Keyring(context.Context) (*otp.Keyring, error) { return k.kr, nil }

// counts records metric names and reasons.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) Count(name string, dims ...metrics.Dim) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	key := name
	for _, d := range dims {
		if d.Name == "Reason" {
			key += "/" + d.Value
		}
	}
	c.n[key]++
}

func (c *counts) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// recorder is the SMS provider: it keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []providers.Message
}

func (r *recorder) Name() string { return "recorder" }

func (r *recorder) Send(_ context.Context, m providers.Message) (providers.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return providers.Receipt{Provider: "recorder", MessageID: "SM" + m.ID}, nil
}

// harness is the trigger and the worker over local-kms, DynamoDB Local and
// fauxqs, as Cognito, the trigger and the worker meet in AWS.
type harness struct {
	t       testing.TB
	codec   *esdk.Codec // Cognito's side: encrypts codes under the pool key
	handler *customsms.Handler
	worker  *worker.Worker
	sqs     *sqs.Client
	db      *dynamodb.Client
	table   string
	url     string
	sent    *recorder
	metrics *counts
	logs    *testutil.SyncBuffer
	kms     *kms.Client
	queue   *failingQueue
}

// failingQueue is the SQS queue, made to refuse sends while fail is set.
type failingQueue struct {
	q    customsms.Queue
	fail atomic.Bool
}

func (f *failingQueue) EnqueueCognito(ctx context.Context, m schema.CognitoSMS) error {
	if f.fail.Load() {
		return errors.New("SendMessage: connection reset")
	}
	return f.q.EnqueueCognito(ctx, m)
}

func newHarness(t testing.TB, cfg customsms.Config) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, kms: testenv.KMS(t), db: testenv.DynamoDB(t), sqs: testenv.SQS(t), sent: &recorder{}, metrics: &counts{}, logs: &testutil.SyncBuffer{}}
	codec, err := esdk.New(ctx, h.kms, newKey(t, h.kms))
	if err != nil {
		t.Fatal(err)
	}
	h.codec = codec
	h.table = dynamotest.NewTable(t, h.db)
	store, err := dynamo.New(h.db, h.table)
	if err != nil {
		t.Fatal(err)
	}
	q, err := h.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("custom-sms"))})
	if err != nil {
		t.Fatal(err)
	}
	h.url = aws.ToString(q.QueueUrl)
	sq, err := sqssdk.New(h.sqs, h.url)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := otp.NewKeyring([]byte("custom-sms-sender-test-secret-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.queue = &failingQueue{q: sq}
	h.handler, err = customsms.New(cfg, codec, store, h.queue, staticKeys{kr}, customsms.Env{Log: log, Metrics: h.metrics})
	if err != nil {
		t.Fatal(err)
	}
	text, err := smstext.New(nil, "example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	h.worker, err = worker.New(worker.DefaultConfig(), store, staticKeys{kr}, text, providers.Single{Provider: h.sent}, worker.Prices{}, worker.Env{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func defaultConfig() customsms.Config {
	return customsms.Config{
		Caps:           otp.DefaultPolicy().Caps,
		DefaultLocale:  "en",
		Deadline:       4 * time.Second,
		DeliveryWindow: customsms.DefaultDeliveryWindow,
	}
}

// event reads a fixture and puts secret in request.code as Cognito does:
// the Encryption SDK under the pool's key, for pool, in base64.
func (h *harness) event(source, secret, pool string) customsms.Event {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", source+".json"))
	if err != nil {
		h.t.Fatal(err)
	}
	var ev customsms.Event
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&ev); err != nil {
		h.t.Fatalf("decode %s: %v", source, err)
	}
	if ev.Request.Code != "" {
		ev.Request.Code = h.encrypt(h.codec, secret, pool)
	}
	return ev
}

func (h *harness) encrypt(c *esdk.Codec, secret, pool string) string {
	h.t.Helper()
	ct, err := c.Encrypt(context.Background(), []byte(secret), pool)
	if err != nil {
		h.t.Fatalf("encrypt: %v", err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

// receive takes every message on the queue (fauxqs answers at once).
func (h *harness) receive() [][]byte {
	h.t.Helper()
	var bodies [][]byte
	for {
		out, err := h.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(h.url), MaxNumberOfMessages: 10, WaitTimeSeconds: 0})
		if err != nil {
			h.t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return bodies
		}
		for _, m := range out.Messages {
			bodies = append(bodies, []byte(aws.ToString(m.Body)))
			if _, err := h.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(h.url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				h.t.Fatal(err)
			}
		}
	}
}

// items counts what the table holds.
func (h *harness) items() int32 {
	h.t.Helper()
	out, err := h.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(h.table), Select: "COUNT"})
	if err != nil {
		h.t.Fatal(err)
	}
	return out.Count
}
