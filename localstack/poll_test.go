package localstack

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// keysDown fails every keyring fetch, so the worker hands each message back
// to the queue for a retry.
type keysDown struct{}

func (keysDown) Keyring(context.Context) (*otp.Keyring, error) {
	return nil, errors.New("secret store unreachable")
}

// neverCalled is a provider the test never reaches.
type neverCalled struct{}

func (neverCalled) Name() string { return "never" }
func (neverCalled) Send(context.Context, providers.Message) (providers.Receipt, error) {
	return providers.Receipt{}, errors.New("not expected")
}

// A retry's requeue is pending when the pollers stop: pollMem drops it,
// so no timer puts a message back after shutdown, and says what is left.
func TestPollMemDropsPendingRetriesOnShutdown(t *testing.T) {
	kr, err := otp.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	m, err := schema.NewMessage(kr, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", "123456", now, now.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	q := queue.NewMem(4)
	if err := q.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	text, err := smstext.New(nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := worker.DefaultConfig()
	cfg.BackoffBase, cfg.BackoffMax = 10*time.Minute, 10*time.Minute // the retry waits past the test
	logs := &testutil.SyncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	w, err := worker.New(cfg, mem.New(nil), keysDown{}, text, providers.Single{Provider: neverCalled{}}, worker.Prices{}, worker.Env{Log: log})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pollMem(ctx, q, w, log, 2) }()
	for !strings.Contains(logs.String(), worker.ReasonKeysUnavailable) {
		select {
		case err := <-done:
			t.Fatalf("pollMem returned early: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("pollMem: %v", err)
	}
	if !strings.Contains(logs.String(), `"queued":1`) {
		t.Errorf("no warning of the message left queued; logs:\n%s", logs)
	}
	if n := q.Len(); n != 0 {
		t.Errorf("Len after shutdown = %d, want 0: the pending requeue was not dropped", n)
	}
	if err := q.Delay(context.Background(), queue.Delivery{ID: m.MessageID}, 0); !errors.Is(err, queue.ErrStopped) {
		t.Errorf("Delay after shutdown = %v, want queue.ErrStopped", err)
	}
}
