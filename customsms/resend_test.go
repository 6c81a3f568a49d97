package customsms_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// named is an SMS provider of that name that keeps what it sent.
type named struct {
	name string
	mu   sync.Mutex
	sent []providers.Message
}

func (n *named) Name() string { return n.name }

func (n *named) Send(_ context.Context, m providers.Message) (providers.Receipt, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, m)
	return providers.Receipt{Provider: n.name, MessageID: n.name + "-" + m.ID}, nil
}

func (n *named) bodies() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, m := range n.sent {
		out = append(out, m.Body)
	}
	return out
}

// lastID is the provider's message id of its last SMS.
func (n *named) lastID() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.name + "-" + n.sent[len(n.sent)-1].ID
}

// resendWorker is sms-worker as deployed with resends on: a chain of a and
// b, the sent-message ledger and the resend over the trigger's table.
func resendWorker(t *testing.T, h *harness) (*worker.Worker, *dynamo.Ledger, *named, *named) {
	t.Helper()
	store, err := dynamo.New(h.db, h.table)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := dynamo.NewLedger(h.db, h.table, delivery.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	a, b := &named{name: "a"}, &named{name: "b"}
	chain, err := providers.NewChain([]providers.Provider{a, b}, nil, providers.BreakerConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := worker.NewResend(worker.DefaultResendConfig(), channel.Plan{Default: []string{"a", "b"}}, chain, store, ledger)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := otp.NewKeyring([]byte("custom-sms-sender-test-secret-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := smstext.New(nil, "example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(h.logs, nil))
	w, err := worker.New(worker.DefaultConfig(), store, staticKeys{kr}, text, chain, worker.Prices{}, worker.Env{Log: log, Sent: ledger, Resend: r})
	if err != nil {
		t.Fatal(err)
	}
	return w, ledger, a, b
}

// From Cognito's event to a resend: each kind with a code is sent once
// more through the next provider when its SMS is not delivered, with the
// same code and text; a duplicate check sends nothing; a delivered one
// needs nothing; a temporary password or a notice gets no check at all.
func TestResendOfTheTriggersJobs(t *testing.T) {
	cfg := defaultConfig()
	cfg.Caps[0].Max, cfg.Caps[1].Max = 20, 20
	h := newHarness(t, cfg)
	w, ledger, a, b := resendWorker(t, h)
	ctx := context.Background()
	tests := []struct {
		source, secret string
		delivered      bool
		resent         bool
	}{
		{"SignUp", code, false, true},
		{"ResendCode", code, false, true},
		{"ForgotPassword", code, true, false},
		{"UpdateUserAttribute", code, false, true},
		{"VerifyUserAttribute", code, false, true},
		{"Authentication", code, false, true},
		{"AdminCreateUser", tempPass, false, false},
		{"AccountTakeOverNotification", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			sentA, sentB := len(a.bodies()), len(b.bodies())
			if _, err := h.handler.Handle(ctx, h.event(tt.source, tt.secret, poolID)); err != nil {
				t.Fatalf("Handle: %v", err)
			}
			bodies := h.receive()
			if len(bodies) != 1 {
				t.Fatalf("%d messages on the queue, want 1", len(bodies))
			}
			first := w.Process(ctx, bodies[0])
			if first.Reason != worker.ReasonSent || len(a.bodies()) != sentA+1 {
				t.Fatalf("first send: %+v", first)
			}
			if tt.source == "AdminCreateUser" || tt.source == "AccountTakeOverNotification" {
				if first.Then != nil {
					t.Fatalf("a delivery check after a %s SMS, which carries no code", tt.source)
				}
				return
			}
			if first.Then == nil {
				t.Fatal("no delivery check after the send")
			}
			if tt.delivered {
				if _, err := ledger.ApplyReceipt(ctx, delivery.Receipt{Provider: "a", MessageID: a.lastID(), Status: delivery.Delivered, At: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			want := []string{worker.ReasonResent, worker.ReasonDuplicate}
			if !tt.resent {
				want = []string{worker.ReasonDelivered}
			}
			for i, reason := range want {
				if o := w.Process(ctx, first.Then.Body); o.Reason != reason {
					t.Fatalf("check %d: %+v, want %s", i+1, o, reason)
				}
			}
			got := b.bodies()
			if !tt.resent {
				if len(got) != sentB {
					t.Fatal("resent a delivered SMS")
				}
				return
			}
			if len(got) != sentB+1 || got[len(got)-1] != a.bodies()[len(a.bodies())-1] {
				t.Fatalf("through b: %q, want the first SMS's text once", got[sentB:])
			}
		})
	}
	noSecrets(t, h)
}
