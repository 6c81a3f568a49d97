package localstack_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// backend is where a test's stack keeps challenges and queues SMS.
type backend struct {
	name string
	env  func(tb testing.TB) map[string]string
}

var backends = []backend{
	{name: "embedded", env: func(testing.TB) map[string]string { return nil }},
	{name: "dynamodb-local+fauxqs", env: localAWS},
}

// localAWS makes a table and two queues on DynamoDB Local and fauxqs and
// returns the settings that point the stack at them.
func localAWS(t testing.TB) map[string]string {
	t.Helper()
	q := testenv.SQS(t)
	mk := func(prefix string) string {
		out, err := q.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName(prefix))})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.QueueUrl)
	}
	return map[string]string{
		"OTP_TABLE_NAME": dynamotest.NewTable(t, testenv.DynamoDB(t)),
		"OTP_QUEUE_URL":  mk("otp-local"),
		"OTP_DLQ_URL":    mk("otp-local-dlq"),
	}
}

// awsConfig points DynamoDB and SQS at the local servers.
func awsConfig(t testing.TB) *aws.Config {
	cfg := aws.Config{
		Region:        "us-east-1",
		Credentials:   credentials.NewStaticCredentialsProvider("test", "test", ""),
		ConfigSources: []any{serviceEndpoints{"DynamoDB": testenv.DynamoDBEndpoint(t), "SQS": testenv.SQSEndpoint(t)}},
	}
	return &cfg
}

// serviceEndpoints is a base endpoint per service (by SDK id), as the
// shared config's services section or AWS_ENDPOINT_URL_<SERVICE> gives
// them: one aws.Config.BaseEndpoint would send both services to one server.
type serviceEndpoints map[string]string

func (e serviceEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	u, ok := e[sdkID]
	return u, ok, nil
}

// local is a running stack and a Cognito client pointed at it.
type local struct {
	stack  *localstack.Stack
	cip    *cip.Client
	clock  *testutil.Clock
	logs   *testutil.SyncBuffer
	sms    *testutil.SyncBuffer
	outbox string
}

// start runs a stack for the test on a free port, with settings on top of
// the backend's, and stops it when the test ends.
func start(t testing.TB, b backend, settings map[string]string, opts ...func(*localstack.Options)) *local {
	t.Helper()
	env := map[string]string{}
	for k, v := range b.env(t) {
		env[k] = v
	}
	for k, v := range settings {
		env[k] = v
	}
	l := &local{
		clock:  testutil.NewClock(time.Now()),
		logs:   &testutil.SyncBuffer{},
		sms:    &testutil.SyncBuffer{},
		outbox: filepath.Join(t.TempDir(), "outbox.jsonl"),
	}
	o := localstack.Options{
		Addr: "127.0.0.1:0", Outbox: l.outbox, SMS: l.sms, Now: l.clock.Now,
		Log:    slog.New(slog.NewJSONHandler(l.logs, nil)),
		Getenv: func(k string) string { return env[k] },
	}
	if env["OTP_TABLE_NAME"] != "" {
		o.AWS = awsConfig(t)
	}
	for _, f := range opts {
		f(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := localstack.New(ctx, o)
	if err != nil {
		t.Fatalf("start the local stack: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	l.stack = s
	l.cip = cip.New(cip.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	return l
}

// number returns a fresh valid US mobile-shaped number, so tests never
// share send caps.
func number(t *testing.T) string {
	t.Helper()
	var b [2]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("+1415555%04d", (int(b[0])<<8|int(b[1]))%10000)
}

func (l *local) signUp(t *testing.T, phone string) {
	t.Helper()
	_, err := l.cip.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(l.stack.ClientID()), Username: aws.String(phone),
		Password: aws.String("a-password-nobody-keeps-0123456789"),
	})
	var exists *types.UsernameExistsException
	if err != nil && !errors.As(err, &exists) {
		t.Fatalf("SignUp: %v", err)
	}
}

func (l *local) initiate(phone string) (*cip.InitiateAuthOutput, error) {
	return l.cip.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(l.stack.ClientID()), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": phone},
	})
}

// challenge is what a client holds between rounds.
type challenge struct {
	session  *string
	username string
	params   map[string]string
}

func (l *local) mustInitiate(t *testing.T, phone string) challenge {
	t.Helper()
	out, err := l.initiate(phone)
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("InitiateAuth challenge = %q, want CUSTOM_CHALLENGE", out.ChallengeName)
	}
	return challenge{session: out.Session, username: out.ChallengeParameters["USERNAME"], params: out.ChallengeParameters}
}

func (l *local) respond(c challenge, answer string) (*cip.RespondToAuthChallengeOutput, error) {
	return l.cip.RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(l.stack.ClientID()), ChallengeName: types.ChallengeNameTypeCustomChallenge,
		Session: c.session, ChallengeResponses: map[string]string{"USERNAME": c.username, "ANSWER": answer},
	})
}

// again answers and expects another round (a wrong or expired code).
func (l *local) again(t *testing.T, c challenge, answer string) challenge {
	t.Helper()
	out, err := l.respond(c, answer)
	if err != nil {
		t.Fatalf("RespondToAuthChallenge: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.AuthenticationResult != nil {
		t.Fatalf("want another CUSTOM_CHALLENGE, got %q (tokens: %v)", out.ChallengeName, out.AuthenticationResult != nil)
	}
	return challenge{session: out.Session, username: out.ChallengeParameters["USERNAME"], params: out.ChallengeParameters}
}

// sms is one message from the console provider's outbox.
type sms struct {
	console.Record
	Code string
}

var codeRE = regexp.MustCompile(`\b(\d{4,10})\b`)

// messages reads the outbox: every SMS to phone so far.
func (l *local) messages(t *testing.T, phone string) []sms {
	t.Helper()
	msgs, err := l.read(phone)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func (l *local) read(phone string) ([]sms, error) {
	b, err := os.ReadFile(l.outbox)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []sms
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var r console.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("outbox line %q: %w", sc.Text(), err)
		}
		if r.To != phone {
			continue
		}
		m := sms{Record: r}
		if c := codeRE.FindStringSubmatch(r.Body); c != nil {
			m.Code = c[1]
		}
		out = append(out, m)
	}
	return out, nil
}

// code waits (real time) for the n-th SMS to phone and returns its code.
func (l *local) code(t *testing.T, phone string, n int) string {
	t.Helper()
	c, err := l.waitCode(phone, n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitCode is code for other goroutines than the test's, which must not
// call t.Fatal.
func (l *local) waitCode(phone string, n int) (string, error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		msgs, err := l.read(phone)
		if err != nil {
			return "", err
		}
		if len(msgs) >= n {
			return msgs[n-1].Code, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no SMS #%d to %s within 15 s; outbox has %d", n, phone, len(msgs))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// quiet checks that phone got exactly n SMS, giving the worker time to
// send any extra one.
func (l *local) quiet(t *testing.T, phone string, n int) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	if got := len(l.messages(t, phone)); got != n {
		t.Fatalf("%s got %d SMS, want %d", phone, got, n)
	}
}

// signIn runs the whole flow for a registered number and returns the tokens.
func (l *local) signIn(t *testing.T, phone string) *types.AuthenticationResultType {
	t.Helper()
	n := len(l.messages(t, phone))
	c := l.mustInitiate(t, phone)
	out, err := l.respond(c, l.code(t, phone, n+1))
	if err != nil {
		t.Fatalf("RespondToAuthChallenge with the right code: %v", err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("no tokens after the right code; challenge %q", out.ChallengeName)
	}
	return out.AuthenticationResult
}
