package coldstart_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/coldstart"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// function is one Lambda main and how to exercise it.
type function struct {
	name   string // cmd/<name>, or "empty" for the baseline handler
	badEnv string // a setting the function must refuse at init
	event  func(b *testing.B, w *world, n int) [][]byte
}

var functions = []function{
	{"empty", "", fixtureEvents("define/empty-session.json")},
	{"define-auth-challenge", "OTP_MAX_ATTEMPTS=0", fixtureEvents("define/empty-session.json")},
	{"pre-sign-up", "OTP_ALLOW_VOIP=perhaps", fixtureEvents("presignup/mobile.json")},
	{"create-auth-challenge", "OTP_CODE_LENGTH=six", createEvents},
	{"verify-auth-challenge", "OTP_CODE_LENGTH=six", fixtureEvents("verify/answer.json")},
	{"post-authentication", "OTP_TABLE_NAME=", fixtureEvents("postauth/unverified.json")},
	{"sms-worker", "SMS_PROVIDERS=carrier-pigeon", workerEvents},
}

// BenchmarkColdStart starts each function b.N times (-benchtime 7x) under
// the local Runtime API, with DynamoDB Local and fauxqs as its AWS, and
// reports the medians (start/<function>): init-ms (process start to the
// first /next), init-cpu-ms and init-faults (CPU time and page faults of
// that init, which a loaded machine does not inflate the way it does
// init-ms), invoke-ms (first event to its answer), rss-MB (the process's
// peak resident memory, VmHWM) and bin-MB (the binary). Then (init-failure/<function>)
// it starts each with one bad setting and logs how the init ended: Lambda
// wants /init/error with a message naming the variable; a bare exit shows
// up only as Runtime.ExitError.
func BenchmarkColdStart(b *testing.B) {
	w := newWorld(b)
	for _, f := range functions {
		b.Run("start/"+f.name, func(b *testing.B) { w.coldStarts(b, f) })
	}
	for _, f := range functions {
		if f.badEnv != "" {
			b.Run("init-failure/"+f.name, func(b *testing.B) { w.initFailure(b, f) })
		}
	}
}

func (w *world) coldStarts(b *testing.B, f function) {
	bin := w.build(b, f.name)
	evs := f.event(b, w, b.N)
	var inits, cpu, faults, invokes, rss []float64
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		s, err := coldstart.Measure(context.Background(), w.spec(bin, f.name, &out), evs[i])
		if err != nil {
			b.Fatalf("%s: %v\n%s", f.name, err, out.String())
		}
		if err := answerOK(f.name, s.Result.Payload); s.Result.Err != nil || err != nil {
			b.Fatalf("%s answered %v %v\n%s", f.name, s.Result.Err, err, out.String())
		}
		inits = append(inits, ms(s.Init))
		cpu = append(cpu, ms(s.InitUsage.CPU))
		faults = append(faults, float64(s.InitUsage.Faults))
		invokes = append(invokes, ms(s.Invoke))
		rss = append(rss, float64(s.MaxRSS)/1e6)
	}
	b.ReportMetric(median(inits), "init-ms")
	b.ReportMetric(median(cpu), "init-cpu-ms")
	b.ReportMetric(median(faults), "init-faults")
	b.ReportMetric(median(invokes), "invoke-ms")
	b.ReportMetric(median(rss), "rss-MB")
	if st, err := os.Stat(bin); err == nil {
		b.ReportMetric(float64(st.Size())/1e6, "bin-MB")
	}
}

func (w *world) initFailure(b *testing.B, f function) {
	bin := w.build(b, f.name)
	// One start whatever b.N: the outcome is the figure, not the time.
	spec := w.spec(bin, f.name, nil)
	spec.Env = append(spec.Env, f.badEnv)
	inst, err := coldstart.Start(context.Background(), spec)
	if err == nil {
		inst.Stop()
	}
	outcome := describe(err)
	name, _, _ := strings.Cut(f.badEnv, "=")
	if !strings.Contains(outcome, name) && strings.HasPrefix(outcome, "init/error") {
		outcome += " (does not name " + name + ")"
	}
	// Once per function: the benchmark body runs for N=1 and again for N.
	w.mu.Lock()
	first := !w.logged[f.name]
	w.logged[f.name] = true
	w.mu.Unlock()
	if first {
		b.Logf("init-failure %s %s -> %s", f.name, f.badEnv, outcome)
	}
}

func describe(err error) string {
	var f *coldstart.InitFailure
	switch {
	case err == nil:
		return "started (the bad setting was not noticed at init)"
	case errors.As(err, &f) && f.Reported:
		return "init/error: " + f.Message
	case errors.As(err, &f):
		return "exit (" + f.Message + ", no /init/error)"
	}
	return "failed: " + err.Error()
}

// answerOK checks the answer is a success of the function's own kind.
func answerOK(name string, payload []byte) error {
	if name != "sms-worker" {
		if !json.Valid(payload) {
			return fmt.Errorf("invalid JSON %q", payload)
		}
		return nil
	}
	var r events.SQSEventResponse
	if err := json.Unmarshal(payload, &r); err != nil {
		return err
	}
	if len(r.BatchItemFailures) != 0 {
		return fmt.Errorf("batch item failures %v", r.BatchItemFailures)
	}
	return nil
}

// world is the AWS the functions see: a table and queues on DynamoDB Local
// and fauxqs, dummy credentials, a plain: secret.
type world struct {
	env      []string
	queueURL string
	phones   atomic.Int64
	binDir   string
	mu       sync.Mutex
	bins     map[string]string
	logged   map[string]bool // init-failure outcomes already logged
}

func newWorld(b *testing.B) *world {
	b.Helper()
	ctx := context.Background()
	table := dynamotest.NewTable(b, testenv.DynamoDB(b))
	q := testenv.SQS(b)
	mk := func(prefix string) string {
		out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName(prefix))})
		if err != nil {
			b.Fatal(err)
		}
		return aws.ToString(out.QueueUrl)
	}
	none := filepath.Join(b.TempDir(), "none")
	w := &world{queueURL: mk("coldstart-sms"), binDir: b.TempDir(), bins: map[string]string{}, logged: map[string]bool{}}
	w.env = []string{
		"PATH=/usr/bin:/bin", "TZ=:UTC", "LANG=en_US.UTF-8",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN=local", "AWS_CONFIG_FILE=" + none, "AWS_SHARED_CREDENTIALS_FILE=" + none,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_DYNAMODB=" + testenv.DynamoDBEndpoint(b),
		"AWS_ENDPOINT_URL_SQS=" + testenv.SQSEndpoint(b),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"_HANDLER=bootstrap", "LAMBDA_TASK_ROOT=/var/task",
		"OTP_TABLE_NAME=" + table,
		"OTP_QUEUE_URL=" + w.queueURL,
		"OTP_DLQ_URL=" + mk("coldstart-dlq"),
		"OTP_SECRET=plain:coldstart-secret-0123456789abcdef-0123456789",
		"SMS_PROVIDERS=console",
		"SMS_DOMAIN=example.com",
	}
	return w
}

func (w *world) spec(bin, name string, out *bytes.Buffer) coldstart.Spec {
	env := append(slices.Clip(w.env),
		"AWS_LAMBDA_FUNCTION_NAME="+name,
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+name,
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/12/04/[$LATEST]0123456789abcdef")
	s := coldstart.Spec{Binary: bin, Env: env}
	if out != nil {
		s.Output = out
	}
	return s
}

// phone is a fresh fictional mobile number, so each Create sends a new
// code instead of reusing one (and no send cap is reached).
func (w *world) phone() string {
	return "+1415201" + fmt.Sprintf("%04d", w.phones.Add(1))
}

func fixtureEvents(name string) func(*testing.B, *world, int) [][]byte {
	return func(b *testing.B, _ *world, n int) [][]byte {
		ev, err := os.ReadFile(filepath.Join("..", "..", "triggers", "testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		return slices.Repeat([][]byte{ev}, n)
	}
}

// createEvents are the first-round fixture, each for a new number.
func createEvents(b *testing.B, w *world, n int) [][]byte {
	raw := fixtureEvents("create/first-round.json")(b, w, 1)[0]
	var out [][]byte
	for range n {
		var ev events.CognitoEventUserPoolsCreateAuthChallenge
		if err := json.Unmarshal(raw, &ev); err != nil {
			b.Fatal(err)
		}
		ev.Request.UserAttributes["phone_number"] = w.phone()
		p, _ := json.Marshal(ev)
		out = append(out, p)
	}
	return out
}

// workerEvents are SQS events of real jobs: the built Create function
// enqueues n codes, and each received message becomes one event, shaped
// as Lambda's SQS event source delivers it.
func workerEvents(b *testing.B, w *world, n int) [][]byte {
	ctx := context.Background()
	create := w.build(b, "create-auth-challenge")
	var out bytes.Buffer
	inst, err := coldstart.Start(ctx, w.spec(create, "create-auth-challenge", &out))
	if err != nil {
		b.Fatalf("create: %v\n%s", err, out.String())
	}
	for _, ev := range createEvents(b, w, n) {
		if r, err := inst.Invoke(ctx, ev); err != nil || r.Err != nil {
			inst.Stop()
			b.Fatalf("create: %v %v\n%s", err, r.Err, out.String())
		}
	}
	inst.Stop()
	q := testenv.SQS(b)
	var evs [][]byte
	for len(evs) < n {
		got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(w.queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 2,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil || len(got.Messages) == 0 {
			b.Fatalf("receive the jobs Create enqueued: %v (%d of %d)", err, len(evs), n)
		}
		for _, m := range got.Messages {
			evs = append(evs, sqsEvent(w.queueURL, m.MessageId, m.ReceiptHandle, m.Body, m.Attributes))
		}
	}
	return evs[:n]
}

// build compiles a function as scripts/build does, for this machine's
// architecture so it can run here: static, -tags lambda.norpc, stripped.
func (w *world) build(b *testing.B, name string) string {
	b.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if bin, ok := w.bins[name]; ok {
		return bin
	}
	pkg := "./cmd/" + name
	if name == "empty" {
		pkg = "./internal/coldstart/testdata/empty"
	}
	bin := filepath.Join(w.binDir, name, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, pkg)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", name, err, out)
	}
	w.bins[name] = bin
	return bin
}

// sqsEvent is one received message as Lambda's SQS event source hands it
// to a function.
func sqsEvent(queueURL string, id, receipt, body *string, attrs map[string]string) []byte {
	ev := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId:      aws.ToString(id),
		ReceiptHandle:  aws.ToString(receipt),
		Body:           aws.ToString(body),
		Attributes:     attrs,
		EventSource:    "aws:sqs",
		EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:" + filepath.Base(queueURL),
		AWSRegion:      "us-east-1",
	}}}
	p, _ := json.Marshal(ev)
	return p
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
