package worker_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

func TestProcessSends(t *testing.T) {
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, worker.DefaultConfig(), p)
	body, m, code := h.message()
	got := h.process(body)
	if got.Action != worker.Delete || got.Reason != worker.ReasonSent {
		t.Fatalf("outcome %+v, want delete/sent", got)
	}
	sent := p.Sent()
	if len(sent) != 1 || sent[0].To != m.To || sent[0].Country != "US" || !strings.Contains(sent[0].Body, code) {
		t.Fatalf("sent %+v", sent)
	}
	if !strings.HasSuffix(sent[0].Body, "@example.com #"+code) {
		t.Errorf("body does not end with the origin-bound line: %q", sent[0].Body)
	}
	d := h.challenge(m.ChallengeID).Delivery
	if d.State != otp.DeliverySent || d.Provider != "fake" || d.ProviderID != "SM"+m.MessageID || d.Attempts != 1 {
		t.Errorf("delivery record %+v", d)
	}
	if strings.Contains(h.logs.String(), code) {
		t.Error("logs contain the code")
	}
}

func TestProcessRedeliverySendsOnce(t *testing.T) {
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, worker.DefaultConfig(), p)
	body, _, _ := h.message()
	h.process(body)
	if got := h.process(body); got.Action != worker.Delete || got.Reason != worker.ReasonDuplicate {
		t.Errorf("redelivery: %+v, want delete/duplicate", got)
	}
	if n := len(p.Sent()); n != 1 {
		t.Errorf("%d SMS sent for one message delivered twice", n)
	}
}

// The same message handled by many workers at once sends once.
func TestProcessConcurrentDuplicatesSendOnce(t *testing.T) {
	p := &fakeProvider{name: "fake", delay: 20 * time.Millisecond}
	h := newHarness(t, worker.DefaultConfig(), p)
	body, _, _ := h.message()
	var wg sync.WaitGroup
	outcomes := make([]worker.Outcome, 10)
	for i := range outcomes {
		wg.Go(func() { outcomes[i] = h.process(body) })
	}
	wg.Wait()
	if n := len(p.Sent()); n != 1 {
		t.Errorf("%d SMS sent by 10 concurrent deliveries, want 1", n)
	}
	for _, o := range outcomes {
		if o.Reason != worker.ReasonSent && o.Reason != worker.ReasonClaimBusy && o.Reason != worker.ReasonDuplicate {
			t.Errorf("unexpected outcome %+v", o)
		}
	}
}

func TestProcessDropsAndDeadLetters(t *testing.T) {
	tests := []struct {
		name   string
		body   func(h *harness) []byte
		action worker.Action
		reason string
	}{
		{"expired", func(h *harness) []byte {
			b, _, _ := h.message()
			h.clock.Advance(3 * time.Minute)
			return b
		}, worker.Delete, worker.ReasonExpired},
		{"voided challenge", func(h *harness) []byte {
			b, m, _ := h.message()
			h.store.VoidChallenge(context.Background(), m.ChallengeID)
			return b
		}, worker.Delete, worker.ReasonNotDeliverable},
		{"not JSON", func(*harness) []byte { return []byte("{") }, worker.DeadLetter, worker.ReasonMalformed},
		// Version 2 is the custom SMS sender's job (cognitosms_test.go): an
		// empty one is malformed; the next unknown version is unsupported.
		{"version 2 without fields", func(*harness) []byte { return []byte(`{"version":2}`) }, worker.DeadLetter, worker.ReasonMalformed},
		{"version 4", func(*harness) []byte { return []byte(`{"version":4}`) }, worker.DeadLetter, worker.ReasonUnsupported},
		// Version 3 is the worker's own delivery check (schema.Check).
		{"version 3 without fields", func(*harness) []byte { return []byte(`{"version":3}`) }, worker.DeadLetter, worker.ReasonMalformed},
		{"redirected to another number", func(h *harness) []byte {
			_, m, _ := h.message()
			m.To = "+14155550199"
			b, _ := m.Encode()
			return b
		}, worker.DeadLetter, worker.ReasonUnseal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakeProvider{name: "fake"}
			h := newHarness(t, worker.DefaultConfig(), p)
			got := h.process(tc.body(h))
			if got.Action != tc.action || got.Reason != tc.reason {
				t.Errorf("outcome %+v, want %s/%s", got, tc.action, tc.reason)
			}
			if len(p.Sent()) != 0 {
				t.Error("an SMS was sent")
			}
		})
	}
}

func TestProcessRetriesThenDeadLetters(t *testing.T) {
	cfg := worker.DefaultConfig()
	p := &fakeProvider{name: "fake", fail: func(int, providers.Message) error { return transient("503") }}
	h := newHarness(t, cfg, p)
	body, m, _ := h.message()
	// With jitter fixed at 0.5, delays are 3/4 of 2, 4, 8, 16 s.
	wantDelays := []time.Duration{1500 * time.Millisecond, 3 * time.Second, 6 * time.Second, 12 * time.Second}
	for i, want := range wantDelays {
		got := h.process(body)
		if got.Action != worker.Retry || got.Delay != want || got.Reason != worker.ReasonTransient {
			t.Fatalf("attempt %d: %+v, want retry after %s", i+1, got, want)
		}
		if d := h.challenge(m.ChallengeID).Delivery; d.State != otp.DeliveryFailedRetryable || d.Attempts != i+1 {
			t.Fatalf("attempt %d: delivery %+v", i+1, d)
		}
		h.clock.Advance(got.Delay)
	}
	if got := h.process(body); got.Action != worker.DeadLetter || got.Reason != worker.ReasonAttemptsSpent {
		t.Errorf("5th failure: %+v, want dead-letter", got)
	}
}

func TestProcessPermanentIsRecordedNotRetried(t *testing.T) {
	p := &fakeProvider{name: "fake", fail: func(int, providers.Message) error {
		return &providers.Error{Provider: "fake", Kind: providers.Permanent, Code: "21610"}
	}}
	h := newHarness(t, worker.DefaultConfig(), p)
	body, m, _ := h.message()
	if got := h.process(body); got.Action != worker.Delete || got.Reason != worker.ReasonPermanent {
		t.Errorf("outcome %+v", got)
	}
	if d := h.challenge(m.ChallengeID).Delivery; d.State != otp.DeliveryFailedPermanent {
		t.Errorf("delivery %+v", d)
	}
	if got := h.process(body); got.Reason != worker.ReasonDuplicate {
		t.Errorf("redelivery after a permanent failure: %+v", got)
	}
}

func TestProcessDeferredIsNotAnAttempt(t *testing.T) {
	calls := 0
	p := &fakeProvider{name: "fake", fail: func(int, providers.Message) error {
		calls++
		if calls <= 3 {
			return &providers.Error{Provider: "fake", Kind: providers.Deferred, Code: "rate-limit", RetryAfter: 800 * time.Millisecond}
		}
		return nil
	}}
	h := newHarness(t, worker.DefaultConfig(), p)
	body, m, _ := h.message()
	for range 3 {
		got := h.process(body)
		if got.Action != worker.Retry || got.Reason != worker.ReasonDeferred || got.Delay != 1300*time.Millisecond {
			t.Fatalf("deferred: %+v, want retry after the limiter's wait plus jitter", got)
		}
		h.clock.Advance(got.Delay)
	}
	if got := h.process(body); got.Reason != worker.ReasonSent {
		t.Fatalf("after the deferrals: %+v", got)
	}
	if d := h.challenge(m.ChallengeID).Delivery; d.Attempts != 1 {
		t.Errorf("attempts = %d after 3 deferrals and a send, want 1", d.Attempts)
	}
}

func TestProcessClaimBusy(t *testing.T) {
	cfg := worker.DefaultConfig()
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, cfg, p)
	body, m, _ := h.message()
	now := h.clock.Now()
	if _, err := h.store.Claim(context.Background(), m.ChallengeID, m.To, now, now.Add(-cfg.ClaimStale)); err != nil {
		t.Fatal(err)
	}
	got := h.process(body)
	if got.Action != worker.Retry || got.Reason != worker.ReasonClaimBusy || got.Delay != cfg.ClaimStale {
		t.Errorf("claimed elsewhere: %+v", got)
	}
	// The other worker died: its claim goes stale and this one sends.
	h.clock.Advance(cfg.ClaimStale + time.Millisecond)
	if got := h.process(body); got.Reason != worker.ReasonSent {
		t.Errorf("after the claim went stale: %+v", got)
	}
}

func TestProcessRetryPastExpiryIsDropped(t *testing.T) {
	p := &fakeProvider{name: "fake", fail: func(int, providers.Message) error { return transient("503") }}
	h := newHarness(t, worker.DefaultConfig(), p)
	body, _, _ := h.message()
	h.clock.Advance(3*time.Minute - time.Second)
	if got := h.process(body); got.Action != worker.Delete || got.Reason != worker.ReasonExpired {
		t.Errorf("retry that would outlive the code: %+v", got)
	}
}

func TestProcessExhaustedIsRecordedPermanent(t *testing.T) {
	p := &fakeProvider{name: "fake", fail: func(int, providers.Message) error { return transient("503") }}
	h := newHarness(t, worker.DefaultConfig(), p)
	body, m, _ := h.message()
	for {
		o := h.process(body)
		if o.Action != worker.Retry {
			break
		}
		h.clock.Advance(o.Delay)
	}
	if d := h.challenge(m.ChallengeID).Delivery; d.State != otp.DeliveryFailedPermanent || d.Attempts != 5 {
		t.Errorf("after the last attempt: delivery %+v, want failed-permanent after 5", d)
	}
}

type panickingProvider struct{}

func (panickingProvider) Name() string { return "panic" }
func (panickingProvider) Send(context.Context, providers.Message) (providers.Receipt, error) {
	panic("provider bug")
}

func TestProcessRecoversFromAPanic(t *testing.T) {
	h := newHarness(t, worker.DefaultConfig(), &fakeProvider{name: "fake"})
	w, err := worker.New(worker.DefaultConfig(), h.store, h.keys, mustText(t), providers.Single{Provider: panickingProvider{}}, worker.Prices{}, worker.Env{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := h.message()
	if o := w.Process(context.Background(), body); o.Action != worker.Retry || o.Reason != worker.ReasonPanic {
		t.Errorf("outcome after a provider panic: %+v", o)
	}
}

// A provider that hangs hands over to the next within its share of the
// send budget (the chain's attempt timeout), instead of using it all.
func TestProcessHangingProviderHandsOver(t *testing.T) {
	cfg := worker.DefaultConfig()
	cfg.SendTimeout = time.Second
	good := &fakeProvider{name: "good"}
	chain, err := providers.NewChain([]providers.Provider{hanging{}, good}, nil, providers.BreakerConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	chain.SetAttemptTimeout(cfg.SendTimeout / 2)
	h := newHarness(t, cfg, good)
	w, err := worker.New(cfg, h.store, h.keys, mustText(t), chain, worker.Prices{}, worker.Env{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := h.message()
	if o := w.Process(context.Background(), body); o.Reason != worker.ReasonSent || len(good.Sent()) != 1 {
		t.Errorf("outcome %+v with %d sent by the second provider", o, len(good.Sent()))
	}
}

type hanging struct{}

func (hanging) Name() string { return "hanging" }
func (hanging) Send(ctx context.Context, _ providers.Message) (providers.Receipt, error) {
	<-ctx.Done()
	return providers.Receipt{}, ctx.Err()
}

func mustText(t *testing.T) *smstext.Renderer {
	t.Helper()
	r, err := smstext.New(nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Finding 6 of the adversarial run: locale and createdAt are outside the
// seal, so a queue writer who rewrites them must not change the text: a
// 3-minute code says 3 minutes, in the language Create stored.
func TestProcessIgnoresUnsealedLocaleAndCreatedAt(t *testing.T) {
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, worker.DefaultConfig(), p)
	_, m, code := h.message()
	m.Locale = "es"
	m.CreatedAt = m.ExpiresAt.Add(-15 * time.Minute)
	body, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got := h.process(body); got.Reason != worker.ReasonSent {
		t.Fatalf("outcome %+v, want sent: the seal still holds", got)
	}
	sent := p.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d SMS sent, want 1", len(sent))
	}
	if want := "Your sign-in code is " + code + ". It expires in 3 minutes."; !strings.HasPrefix(sent[0].Body, want) {
		t.Errorf("body %q, want it to start %q", sent[0].Body, want)
	}
}

// An unregistered number's Create enqueues a decoy message, so that it
// takes as long as a real one (finding 3); the worker is its sink: the
// claim refuses a decoy and the message is deleted without an SMS.
func TestProcessDropsDecoyMessages(t *testing.T) {
	for name, harnessOf := range map[string]func(testing.TB, worker.Config, *fakeProvider) *harness{
		"mem": newHarness, "dynamodb": newAWSHarness,
	} {
		t.Run(name, func(t *testing.T) { testDropsDecoy(t, harnessOf) })
	}
}

func testDropsDecoy(t *testing.T, harnessOf func(testing.TB, worker.Config, *fakeProvider) *harness) {
	p := &fakeProvider{name: "fake"}
	h := harnessOf(t, worker.DefaultConfig(), p)
	var ev events.CognitoEventUserPoolsCreateAuthChallenge
	ev.UserName = "+14155550199"
	ev.CallerContext.ClientID = "client"
	ev.TriggerSource = "CreateAuthChallenge_Authentication"
	ev.Request.ChallengeName = "CUSTOM_CHALLENGE"
	ev.Request.UserNotFound = true
	if _, err := h.create.Handle(context.Background(), ev); err != nil {
		t.Fatalf("Create: %v", err)
	}
	msgs := h.queue.Drain()
	if len(msgs) != 1 {
		t.Fatalf("%d messages enqueued for a decoy, want 1", len(msgs))
	}
	body, err := msgs[0].Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got := h.process(body); got.Action != worker.Delete || got.Reason != worker.ReasonNotDeliverable {
		t.Errorf("decoy message: %+v, want delete/%s", got, worker.ReasonNotDeliverable)
	}
	if len(p.Sent()) != 0 {
		t.Error("an SMS was sent for a decoy")
	}
}

// A provider that sends a template (WhatsApp) gets the code alone and the
// challenge's locale; the preferred channel comes from the queue message.
func TestProcessPassesCodeLocaleAndPreference(t *testing.T) {
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, worker.DefaultConfig(), p)
	_, m, code := h.message()
	m.Channel = "whatsapp"
	body, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got := h.process(body); got.Reason != worker.ReasonSent {
		t.Fatalf("outcome %+v", got)
	}
	sent := p.Sent()
	if len(sent) != 1 || sent[0].Code != code || sent[0].Locale != "en" || sent[0].Prefer != "whatsapp" {
		t.Errorf("sent %+v, want code %s, locale en, prefer whatsapp", sent, code)
	}
}
