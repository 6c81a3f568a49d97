package coldstart_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
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
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms/esdk"
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
	{"custom-sms-sender", "OTP_KMS_KEY_ARN=alias/otp", customSMSEvents},
	{"sms-receipts", "OTP_TABLE_NAME=", receiptsEvents},
}

// BenchmarkColdStart starts each function b.N times (-benchtime 9x) under
// the local Runtime API, with DynamoDB Local, fauxqs and local-kms as its
// AWS, and reports medians.
//
// floor/go-nop: run-ms, a Go program that does nothing, from start to exit:
// what any Go binary costs on this machine.
//
// start/<function>: init-ms (process start to the first /next),
// init-cpu-ms and init-faults (CPU time and page faults of that init, which
// a loaded machine does not inflate the way it does init-ms), invoke-ms
// (first event to its answer), rss-MB (the process's peak resident memory,
// VmHWM), bin-MB, and over-empty-ms (init-ms less the empty aws-lambda-go
// handler's: what the function adds to what every Go Lambda pays here).
// Each function gets one unmeasured start first, and every start waits
// OTP_COLDSTART_SETTLE (250ms) for the local servers to go quiet.
// OTP_COLDSTART_BINDIR=<dir> starts <dir>/<function>/bootstrap instead of
// building ./cmd/<function>: another tree's functions, built as build does
// below (for this machine, not scripts/build's arm64 dist/), measured
// against the same servers (a function it lacks is skipped).
//
// init-failure/<function>: one start with a bad setting, logging how the
// init ended: Lambda wants /init/error with a message naming the variable;
// a bare exit shows up only as Runtime.ExitError.
func BenchmarkColdStart(b *testing.B) {
	w := newWorld(b)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average at start: %s (figures are for a quiet machine)", strings.TrimSpace(string(load)))
	}
	b.Run("floor/go-nop", w.nopRuns)
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
	evs := f.event(b, w, b.N+1)
	// One start unmeasured: it warms what every later start finds warm on
	// Lambda too (the binary in the page cache, the servers' JIT-compiled
	// request paths), so the first sample is not an outlier.
	w.measure(b, f, bin, evs[0])
	var inits, cpu, faults, invokes, rss []float64
	for i := 0; i < b.N; i++ {
		s := w.measure(b, f, bin, evs[i+1])
		inits = append(inits, ms(s.Init))
		cpu = append(cpu, ms(s.InitUsage.CPU))
		faults = append(faults, float64(s.InitUsage.Faults))
		invokes = append(invokes, ms(s.Invoke))
		rss = append(rss, float64(s.MaxRSS)/1e6)
	}
	b.ReportMetric(median(inits), "init-ms")
	if f.name == "empty" {
		w.floor = median(inits)
	} else if w.floor > 0 {
		b.ReportMetric(median(inits)-w.floor, "over-empty-ms")
	}
	b.ReportMetric(median(cpu), "init-cpu-ms")
	b.ReportMetric(median(faults), "init-faults")
	b.ReportMetric(median(invokes), "invoke-ms")
	b.ReportMetric(median(rss), "rss-MB")
	if st, err := os.Stat(bin); err == nil {
		b.ReportMetric(float64(st.Size())/1e6, "bin-MB")
	}
}

// nopRuns starts a Go program that does nothing and waits for its exit:
// run-ms is the floor any Go binary pays here, before aws-lambda-go and
// the function's own packages add theirs.
func (w *world) nopRuns(b *testing.B) {
	bin := w.build(b, "nop")
	var runs []float64
	for range b.N {
		time.Sleep(w.settle)
		start := time.Now()
		if out, err := exec.Command(bin).CombinedOutput(); err != nil {
			b.Fatalf("nop: %v %s", err, out)
		}
		runs = append(runs, ms(time.Since(start)))
	}
	b.ReportMetric(median(runs), "run-ms")
}

// measure is one cold start and its first event, after the settle pause:
// DynamoDB Local and fauxqs share this machine's cores and finish the last
// invocation's work after it answered, where a Lambda cold start has its
// micro-VM to itself.
func (w *world) measure(b *testing.B, f function, bin string, ev []byte) coldstart.Sample {
	time.Sleep(w.settle)
	var out bytes.Buffer
	s, err := coldstart.Measure(context.Background(), w.spec(bin, f.name, &out), ev)
	if err != nil {
		b.Fatalf("%s: %v\n%s", f.name, err, out.String())
	}
	if err := answerOK(f.name, s.Result.Payload); s.Result.Err != nil || err != nil {
		b.Fatalf("%s answered %v %v\n%s", f.name, s.Result.Err, err, out.String())
	}
	return s
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
	kmsKey   string          // the pool's key, for the custom SMS sender
	settle   time.Duration   // pause before each start
	floor    float64         // the empty handler's median init-ms
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
	key, err := testenv.KMS(b).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("cold-start benchmark")})
	if err != nil {
		b.Fatal(err)
	}
	w := &world{queueURL: mk("coldstart-sms"), binDir: b.TempDir(), bins: map[string]string{}, logged: map[string]bool{},
		kmsKey: aws.ToString(key.KeyMetadata.Arn), settle: settle(b)}
	w.env = []string{
		"PATH=/usr/bin:/bin", "TZ=:UTC", "LANG=en_US.UTF-8",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN=local", "AWS_CONFIG_FILE=" + none, "AWS_SHARED_CREDENTIALS_FILE=" + none,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_DYNAMODB=" + testenv.DynamoDBEndpoint(b),
		"AWS_ENDPOINT_URL_SQS=" + testenv.SQSEndpoint(b),
		"AWS_ENDPOINT_URL_KMS=" + testenv.KMSEndpoint(b),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"_HANDLER=bootstrap", "LAMBDA_TASK_ROOT=/var/task",
		"OTP_TABLE_NAME=" + table,
		"OTP_QUEUE_URL=" + w.queueURL,
		"OTP_DLQ_URL=" + mk("coldstart-dlq"),
		"OTP_SECRET=plain:coldstart-secret-0123456789abcdef-0123456789",
		"OTP_KMS_KEY_ARN=" + w.kmsKey,
		"SMS_PROVIDERS=console",
		"SMS_DOMAIN=example.com",
	}
	return w
}

// settle is OTP_COLDSTART_SETTLE, the pause before each start (250ms).
func settle(b *testing.B) time.Duration {
	v := os.Getenv("OTP_COLDSTART_SETTLE")
	if v == "" {
		return 250 * time.Millisecond
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		b.Fatalf("OTP_COLDSTART_SETTLE: %q is not a duration such as 250ms", v)
	}
	return d
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
	return repoFixture(filepath.Join("triggers", "testdata", name))
}

// repoFixture is one event file, by its path from the repository root.
func repoFixture(path string) func(*testing.B, *world, int) [][]byte {
	return func(b *testing.B, _ *world, n int) [][]byte {
		ev, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			b.Fatal(err)
		}
		return slices.Repeat([][]byte{ev}, n)
	}
}

// receiptsEvents are SNS delivery status logs as a CloudWatch Logs
// subscription hands them to a function: gzip, then base64, under awslogs.
func receiptsEvents(b *testing.B, w *world, n int) [][]byte {
	data := repoFixture("receipts/testdata/sns-delivery-logs.json")(b, w, 1)[0]
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	if _, err := zw.Write(data); err != nil || zw.Close() != nil {
		b.Fatalf("gzip: %v", err)
	}
	ev, _ := json.Marshal(events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{
		Data: base64.StdEncoding.EncodeToString(zipped.Bytes()),
	}})
	return slices.Repeat([][]byte{ev}, n)
}

// customSMSEvents are Cognito's sign-up event, each for a new number, its
// code encrypted as Cognito does (the Encryption SDK under the pool's key
// in local-kms).
func customSMSEvents(b *testing.B, w *world, n int) [][]byte {
	raw := repoFixture("customsms/testdata/events/SignUp.json")(b, w, 1)[0]
	codec, err := esdk.New(context.Background(), testenv.KMS(b), w.kmsKey)
	if err != nil {
		b.Fatal(err)
	}
	var out [][]byte
	for range n {
		var ev map[string]any
		if err := json.Unmarshal(raw, &ev); err != nil {
			b.Fatal(err)
		}
		ct, err := codec.Encrypt(context.Background(), []byte("123456"), ev["userPoolId"].(string))
		if err != nil {
			b.Fatal(err)
		}
		req := ev["request"].(map[string]any)
		req["code"] = base64.StdEncoding.EncodeToString(ct)
		req["userAttributes"].(map[string]any)["phone_number"] = w.phone()
		p, _ := json.Marshal(ev)
		out = append(out, p)
	}
	return out
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
	if name == "empty" || name == "nop" {
		pkg = "./internal/coldstart/testdata/" + name
	} else if dir := os.Getenv("OTP_COLDSTART_BINDIR"); dir != "" {
		// Another tree's functions, built as below, to compare with this
		// one's on the same machine at the same time.
		bin := filepath.Join(dir, name, "bootstrap")
		if _, err := os.Stat(bin); err != nil {
			b.Skipf("OTP_COLDSTART_BINDIR has no %s: %v", name, err)
		}
		w.bins[name] = bin
		return bin
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
