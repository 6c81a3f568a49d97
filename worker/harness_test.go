package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

const testSecret = "worker-test-secret-0123456789abcdef-0123456789"

// Store is what the harness needs of a store: the triggers' side to make
// real challenges and messages, and the worker's claims.
type Store interface {
	triggers.Store
	worker.Claims
}

// fakeProvider records sends; fail decides the error of the n-th call (1-based).
type fakeProvider struct {
	name  string
	delay time.Duration
	fail  func(n int, m providers.Message) error

	mu    sync.Mutex
	calls int
	sent  []providers.Message
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	p.mu.Lock()
	p.calls++
	n := p.calls
	p.mu.Unlock()
	if p.delay > 0 {
		select {
		case <-ctx.Done():
			return providers.Receipt{}, &providers.Error{Provider: p.name, Kind: providers.Transient, Code: "timeout", Err: ctx.Err()}
		case <-time.After(p.delay):
		}
	}
	if p.fail != nil {
		if err := p.fail(n, m); err != nil {
			return providers.Receipt{}, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, m)
	return providers.Receipt{Provider: p.name, MessageID: "SM" + m.ID}, nil
}

func (p *fakeProvider) Sent() []providers.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]providers.Message(nil), p.sent...)
}

// The clock is shared by the trigger and the worker.
type (
	clock      = testutil.Clock
	syncBuffer = testutil.SyncBuffer
)

type harness struct {
	t        testing.TB
	clock    *clock
	store    Store
	queue    *queue.Mem
	keys     *otp.KeySource
	create   *triggers.Create
	provider *fakeProvider
	worker   *worker.Worker
	logs     *syncBuffer
	phoneSeq int
}

func newHarness(t testing.TB, cfg worker.Config, p *fakeProvider) *harness {
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Hour))
	return newHarnessWith(t, clk, mem.New(clk.Now), cfg, p)
}

// newAWSHarness keeps claims in DynamoDB Local. Its clock starts at the
// hour, near real time, because DynamoDB Local enforces TTL within seconds.
func newAWSHarness(t testing.TB, cfg worker.Config, p *fakeProvider) *harness {
	t.Helper()
	db := testenv.DynamoDB(t)
	st, err := dynamo.New(db, dynamotest.NewTable(t, db))
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessWith(t, testutil.NewClock(time.Now().UTC().Truncate(time.Hour)), st, cfg, p)
}

func newHarnessWith(t testing.TB, clk *clock, store Store, cfg worker.Config, p *fakeProvider) *harness {
	t.Helper()
	h := &harness{t: t, clock: clk, store: store, queue: queue.NewMem(4096),
		keys: otp.NewKeySource(otp.StaticSecret(testSecret)), provider: p, logs: &syncBuffer{}}
	tcfg := triggers.DefaultConfig()
	for i := range tcfg.Policy.Caps {
		tcfg.Policy.Caps[i].Max = 1 << 30
	}
	var err error
	h.create, err = triggers.NewCreate(tcfg, store, h.queue, h.keys, triggers.Env{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	text, err := smstext.New(nil, "example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(h.logs, nil))
	h.worker, err = worker.New(cfg, store, h.keys, text, providers.Single{Provider: p}, worker.Prices{}, worker.Env{Now: clk.Now, Rand: func() float64 { return 0.5 }, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.checkLogs)
	return h
}

var fullNumber = testutil.FullNumber

func (h *harness) checkLogs() {
	if m := fullNumber.FindString(h.logs.String()); m != "" {
		h.t.Errorf("worker logs contain a full number %s", m)
	}
}

// message runs the real CreateAuthChallenge for a new number and returns
// the queue message body it enqueued and the code inside.
func (h *harness) message() (body []byte, m schema.Message, code string) {
	h.t.Helper()
	h.phoneSeq++
	var ev events.CognitoEventUserPoolsCreateAuthChallenge
	ev.UserName = "user"
	ev.TriggerSource = "CreateAuthChallenge_Authentication"
	ev.CallerContext.ClientID = "client"
	ev.Request.ChallengeName = "CUSTOM_CHALLENGE"
	ev.Request.UserAttributes = map[string]string{"phone_number": phoneFor(h.phoneSeq)}
	if _, err := h.create.Handle(context.Background(), ev); err != nil {
		h.t.Fatalf("Create: %v", err)
	}
	msgs := h.queue.Drain()
	if len(msgs) != 1 {
		h.t.Fatalf("%d messages enqueued", len(msgs))
	}
	m = msgs[0]
	kr, _ := h.keys.Keyring(context.Background())
	code, err := m.OpenCode(kr)
	if err != nil {
		h.t.Fatal(err)
	}
	body, err = m.Encode()
	if err != nil {
		h.t.Fatal(err)
	}
	return body, m, code
}

func phoneFor(i int) string {
	b, _ := json.Marshal(2000000 + i)
	return "+1415" + string(b)
}

func (h *harness) process(body []byte) worker.Outcome {
	return h.worker.Process(context.Background(), body)
}

func (h *harness) challenge(id string) otp.Challenge {
	h.t.Helper()
	c, err := h.store.GetChallenge(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func transient(code string) error {
	return &providers.Error{Provider: "fake", Kind: providers.Transient, Code: code, Err: errors.New("service unavailable")}
}

func TestMain(m *testing.M) { testenv.Main(m) }

// calledSnapshot reports the calls started so far (sent or not).
func (p *fakeProvider) calledSnapshot() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return make([]int, p.calls)
}
