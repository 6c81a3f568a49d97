package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakessm"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue/sqssdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// localAWS points the SDK's default configuration at DynamoDB Local and
// fauxqs, and creates a table, a queue and a dead-letter queue.
func localAWS(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	table := dynamotest.NewTable(t, testenv.DynamoDB(t))
	q := testenv.SQS(t)
	mk := func(prefix string) string {
		out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName(prefix))})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.QueueUrl)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB":   testenv.DynamoDBEndpoint(t),
		"AWS_ENDPOINT_URL_SQS":        testenv.SQSEndpoint(t),
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_CONFIG_FILE":             filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"OTP_TABLE_NAME":              table,
		"OTP_QUEUE_URL":               mk("sms"),
		"OTP_DLQ_URL":                 mk("sms-dlq"),
		"OTP_SECRET":                  "plain:wiring-test-secret-0123456789abcdef-0123",
	} {
		t.Setenv(k, v)
	}
}

// wireFromEnv builds the driver as main does, from the process environment.
func wireFromEnv(t *testing.T, ctx context.Context) (*worker.Driver, aws.Config, worker.Keys, error) {
	t.Helper()
	s, err := worker.SettingsFromEnv(os.Getenv, os.Environ())
	if err != nil {
		return nil, aws.Config{}, nil, err
	}
	cfg, err := awsinit.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.LoadKeys(ctx, s.Secret, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := wire(ctx, s, cfg, keys, os.Getenv, io.Discard, slog.New(slog.DiscardHandler))
	return d, cfg, keys, err
}

// The deployed wiring end to end: Create enqueues on SQS, the worker built
// from the environment polls it and "sends" through the console provider,
// and the code from the outbox verifies.
func TestWorkerWiringDeliversACode(t *testing.T) {
	localAWS(t)
	outbox := filepath.Join(t.TempDir(), "outbox.jsonl")
	t.Setenv("SMS_PROVIDERS", "console")
	t.Setenv("CONSOLE_OUTBOX", outbox)
	t.Setenv("SMS_DOMAIN", "example.com")
	ctx := context.Background()
	driver, cfg, keys, err := wireFromEnv(t, ctx)
	if err != nil {
		t.Fatalf("wire the worker: %v", err)
	}
	driver.WaitTime = time.Second
	cs, store, out := createCode(t, ctx, driver, cfg, keys)
	rec := readOutbox(t, outbox)
	if rec.To != "+14155550123" || !strings.HasPrefix(rec.Body, "Your sign-in code is ") {
		t.Fatalf("outbox: %+v", rec)
	}
	code := rec.Body[strings.LastIndex(rec.Body, "#")+1:]
	verify, _ := triggers.NewVerify(cs.Triggers, store, keys, triggers.Env{})
	var vev events.CognitoEventUserPoolsVerifyAuthChallenge
	vev.TriggerSource = "VerifyAuthChallengeResponse_Authentication"
	vev.Request.PrivateChallengeParameters = out.Response.PrivateChallengeParameters
	vev.Request.ChallengeAnswer = code
	vout, err := verify.Handle(ctx, vev)
	if err != nil || !vout.Response.AnswerCorrect {
		t.Errorf("the delivered code does not verify: %v", err)
	}
}

// createCode runs Create for +14155550123 and has the worker deliver the
// code it queued.
func createCode(t *testing.T, ctx context.Context, driver *worker.Driver, cfg aws.Config, keys worker.Keys) (triggers.CreateSettings, *dynamo.Store, events.CognitoEventUserPoolsCreateAuthChallenge) {
	t.Helper()
	cs, err := triggers.CreateFromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), cs.Table)
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqssdk.New(sqs.NewFromConfig(cfg), cs.QueueURL)
	if err != nil {
		t.Fatal(err)
	}
	create, err := triggers.NewCreate(cs.Triggers, unhurriedStore{store}, unhurriedQueue{q}, keys, triggers.Env{})
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CognitoEventUserPoolsCreateAuthChallenge
	ev.TriggerSource = "CreateAuthChallenge_Authentication"
	ev.CallerContext.ClientID = "client"
	ev.Request.ChallengeName = "CUSTOM_CHALLENGE"
	ev.Request.UserAttributes = map[string]string{"phone_number": "+14155550123"}
	out, err := create.Handle(ctx, ev)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if n, err := driver.PollOnce(ctx); err != nil || n != 1 {
		t.Fatalf("PollOnce = %d, %v", n, err)
	}
	return cs, store, out
}

// unhurriedFor bounds each of Create's store and queue calls here in
// place of Create's deadline (Cognito's 4 s), which these tests are not
// about: on a loaded machine a cold DynamoDB Local's first transaction
// takes longer, and a Create cut short there can leave a stored challenge
// that was never enqueued.
const unhurriedFor = 2 * time.Minute

func unhurried(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), unhurriedFor)
}

// unhurriedStore gives the store calls Create makes for a new code
// unhurriedFor each.
type unhurriedStore struct{ triggers.Store }

func (s unhurriedStore) GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error) {
	ctx, cancel := unhurried(ctx)
	defer cancel()
	return s.Store.GetPointer(ctx, phone, clientID)
}

func (s unhurriedStore) PutChallenge(ctx context.Context, c otp.Challenge, counters []otp.Counter, claim otp.PointerClaim) error {
	ctx, cancel := unhurried(ctx)
	defer cancel()
	return s.Store.PutChallenge(ctx, c, counters, claim)
}

// unhurriedQueue gives Create's enqueue unhurriedFor.
type unhurriedQueue struct{ triggers.Queue }

func (q unhurriedQueue) Enqueue(ctx context.Context, m schema.Message) error {
	ctx, cancel := unhurried(ctx)
	defer cancel()
	return q.Queue.Enqueue(ctx, m)
}

func readOutbox(t *testing.T, path string) console.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	defer f.Close()
	var rec console.Record
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		t.Fatal("outbox is empty")
	}
	if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// With SMS_ROUTING_PARAMETER, the worker reads the override at start
// through the SDK's SSM client (here a fake speaking the SSM JSON 1.1
// protocol): sns is first in SMS_PROVIDERS but disabled, so the code goes
// through console and SNS is never called.
func TestWorkerWiringAppliesTheRoutingParameter(t *testing.T) {
	localAWS(t)
	params := fakessm.New(t)
	params.Set("/otp-test/sms-routing", `{"disabled":["sns"]}`)
	sns := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("SNS called though disabled: %s", r.URL)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(sns.Close)
	outbox := filepath.Join(t.TempDir(), "outbox.jsonl")
	for k, v := range map[string]string{
		"SMS_PROVIDERS": "sns,console", "CONSOLE_OUTBOX": outbox,
		"SMS_ROUTING_PARAMETER": "/otp-test/sms-routing",
		"AWS_ENDPOINT_URL_SSM":  params.URL, "AWS_ENDPOINT_URL_SNS": sns.URL,
	} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	driver, cfg, keys, err := wireFromEnv(t, ctx)
	if err != nil {
		t.Fatalf("wire the worker: %v", err)
	}
	if params.Calls("GetParameter") != 1 {
		t.Errorf("GetParameter calls at start: %d, want 1", params.Calls("GetParameter"))
	}
	driver.WaitTime = time.Second
	createCode(t, ctx, driver, cfg, keys)
	if rec := readOutbox(t, outbox); rec.To != "+14155550123" {
		t.Errorf("outbox: %+v", rec)
	}
}

func TestWorkerWiringRefusesBadSettings(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SMS_PROVIDERS": "carrier-pigeon"}, "SMS_PROVIDERS"},
		{map[string]string{"SMS_PROVIDERS": ""}, "SMS_PROVIDERS"},
		{map[string]string{"SMS_PROVIDERS": "console", "SMS_ROUTES": "India=sns"}, "SMS_ROUTES"},
		{map[string]string{"SMS_PROVIDERS": "console", "SMS_RATE_CONSOLE": "fast"}, "SMS_RATE_CONSOLE"},
		{map[string]string{"SMS_PROVIDERS": "twilio"}, "TWILIO_AUTH_TOKEN_SECRET"},
		{map[string]string{"SMS_PROVIDERS": "whatsapp"}, "TWILIO_AUTH_TOKEN_SECRET"},
		{map[string]string{
			"SMS_PROVIDERS": "whatsapp", "TWILIO_AUTH_TOKEN_SECRET": "plain:0123456789abcdef0123456789abcdef",
			"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "WHATSAPP_FROM": "+15017122661",
		}, "WHATSAPP_CONTENT_SIDS"},
		{map[string]string{"SMS_PROVIDERS": "console", "SMS_ROUTES": "IN=whatsapp,eum"}, "EUM_ORIGINATION_IDENTITY"},
		{map[string]string{"SMS_PROVIDERS": "console", "SMS_RATE_EUM": "0"}, "SMS_RATE_EUM"},
		{map[string]string{"SMS_PROVIDERS": "sns", "SNS_SENDER_ID": "not a sender id!"}, "SNS_SENDER_ID"},
		{map[string]string{"SMS_PROVIDERS": "console", "SMS_DOMAIN": "https://example.com/"}, "SMS_DOMAIN"},
		{map[string]string{"SMS_PROVIDERS": "console", "OTP_DLQ_URL": ""}, "OTP_DLQ_URL"},
		{map[string]string{"SMS_PROVIDERS": "console", "SMS_ROUTING_EXPLORE": "2"}, "SMS_ROUTING_EXPLORE"},
		{map[string]string{"SMS_PROVIDERS": "console", "SMS_ROUTING_PARAMETER": "no spaces"}, "SMS_ROUTING_PARAMETER"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			localAWS(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, _, _, err := wireFromEnv(t, context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
}
