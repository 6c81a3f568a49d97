package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

const (
	testSecret = "test-secret-0123456789abcdef-0123456789abcdef"
	userPhone  = "+14155550123"
	clientID   = "4rlkd0dbrvmsmdmr7h5gb2kcg9"
)

// fixture reads testdata/name, expanding @@MEGABYTE_DIGITS@@ so oversized
// inputs need not be stored in the repository.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	const placeholder = "@@MEGABYTE_DIGITS@@"
	if !bytes.Contains(b, []byte(placeholder)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(placeholder), bytes.Repeat([]byte("7"), 1<<20))
}

// invoke runs a handler the way the Lambda runtime does: JSON in, JSON out.
func invoke[T any](t testing.TB, handler func(context.Context, T) (T, error), payload []byte) (T, error) {
	t.Helper()
	var out T
	b, err := lambda.NewHandler(handler).Invoke(context.Background(), payload)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decode handler output: %v", err)
	}
	return out, nil
}

// newClock starts at a fixed hour, so send-cap windows line up with tests.
func newClock() *clock { return testutil.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)) }

type (
	clock      = testutil.Clock
	syncBuffer = testutil.SyncBuffer
)

// flakyQueue fails while fail is set, else passes to the wrapped queue.
type flakyQueue struct {
	triggers.Queue
	mu   sync.Mutex
	fail error
}

func (q *flakyQueue) Enqueue(ctx context.Context, m schema.Message) error {
	q.mu.Lock()
	err := q.fail
	q.mu.Unlock()
	if err != nil {
		return err
	}
	return q.Queue.Enqueue(ctx, m)
}

type harness struct {
	t      testing.TB
	cfg    triggers.Config
	clock  *clock
	store  triggers.Store
	queue  *flakyQueue
	inbox  func() []schema.Message // messages enqueued so far, drained
	keys   *otp.KeySource
	logs   *syncBuffer
	define *triggers.Define
	create *triggers.Create
	verify *triggers.Verify
}

type option func(*triggers.Config)

// newHarness wires the triggers over the in-memory store and queue.
func newHarness(t testing.TB, opts ...option) *harness {
	q := queue.NewMem(1024)
	clk := newClock()
	return newHarnessWith(t, clk, mem.New(clk.Now), q, q.Drain, testSecret, opts...)
}

func newHarnessWith(t testing.TB, clk *clock, store triggers.Store, q triggers.Queue, inbox func() []schema.Message, secret string, opts ...option) *harness {
	t.Helper()
	cfg := triggers.DefaultConfig()
	cfg.Phone.AllowedCountries = []string{"US", "IN"}
	for _, o := range opts {
		o(&cfg)
	}
	h := &harness{
		t:     t,
		cfg:   cfg,
		clock: clk,
		store: store,
		queue: &flakyQueue{Queue: q},
		inbox: inbox,
		keys:  otp.NewKeySource(otp.StaticSecret(secret)),
		logs:  &syncBuffer{},
	}
	env := triggers.Env{
		Now:   h.clock.Now,
		Shard: func(int) int { return 0 },
		Log:   slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	var err error
	if h.define, err = triggers.NewDefine(cfg.Policy.MaxAttempts, env); err != nil {
		t.Fatal(err)
	}
	if h.create, err = triggers.NewCreate(cfg, store, h.queue, h.keys, env); err != nil {
		t.Fatal(err)
	}
	if h.verify, err = triggers.NewVerify(cfg, store, h.keys, env); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.checkLogs() })
	return h
}

// code opens the sealed code of an enqueued message, as the worker will.
func (h *harness) code(m schema.Message) string {
	h.t.Helper()
	kr, err := h.keys.Keyring(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	code, err := m.OpenCode(kr)
	if err != nil {
		h.t.Fatalf("open code: %v", err)
	}
	return code
}

// checkLogs fails the test if a log line holds a full phone number or the
// secret. Codes are checked where a test knows them (noCodeInLogs).
var fullNumber = testutil.FullNumber

func (h *harness) checkLogs() {
	logs := h.logs.String()
	if m := fullNumber.FindString(logs); m != "" {
		h.t.Errorf("logs contain a full number %s:\n%s", m, logs)
	}
	for _, s := range []string{userPhone, "+14155550199", "+919876543210", "4155550123", testSecret} {
		if strings.Contains(logs, s) {
			h.t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}

func (h *harness) noCodeInLogs(code string) {
	h.t.Helper()
	if strings.Contains(h.logs.String(), code) {
		h.t.Errorf("logs contain the code %s", code)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// assertNoNumber fails if logs hold a full test phone number.
func assertNoNumber(t testing.TB, logs string) {
	t.Helper()
	for _, s := range []string{"4155550123", "4155550199", "9876543210", "2079460000"} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}
