package worker_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// resendRig: challenges, claims and sent messages in one DynamoDB Local
// table, as in AWS; providers a, b and c; the first send through a.
type resendRig struct {
	*harness
	ledger *dynamo.Ledger
	byName map[string]*fakeProvider
	chain  *providers.Chain
}

func newResendRig(t *testing.T, cfg worker.ResendConfig, order ...string) *resendRig {
	t.Helper()
	return newResendRigSending(t, cfg, nil, order...)
}

// newResendRigSending is newResendRig with the worker's chain built by
// chain from a, b and c (nil: a real providers.Chain in that order with
// the default breakers, as sms-worker wires it).
func newResendRigSending(t *testing.T, cfg worker.ResendConfig, chain func(list []providers.Provider, now func() time.Time) *providers.Chain, order ...string) *resendRig {
	t.Helper()
	db := testenv.DynamoDB(t)
	table := dynamotest.NewTable(t, db)
	st, err := dynamo.New(db, table)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := dynamo.NewLedger(db, table, delivery.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	a := &fakeProvider{name: "a"}
	h := newHarnessWith(t, testutil.NewClock(time.Now().UTC().Truncate(time.Second)), st, worker.DefaultConfig(), a)
	rig := &resendRig{harness: h, ledger: ledger, byName: map[string]*fakeProvider{"a": a, "b": {name: "b"}, "c": {name: "c"}}}
	list := []providers.Provider{a, rig.byName["b"], rig.byName["c"]}
	if chain == nil {
		chain = func(list []providers.Provider, now func() time.Time) *providers.Chain {
			c, err := providers.NewChain(list, nil, providers.BreakerConfig{}, now)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	rig.chain = chain(list, h.clock.Now)
	if len(order) == 0 {
		order = []string{"a", "b", "c"}
	}
	r, err := worker.NewResend(cfg, channel.Plan{Default: order}, rig.chain, st, ledger)
	if err != nil {
		t.Fatal(err)
	}
	text, err := smstext.New(nil, "example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	h.worker, err = worker.New(worker.DefaultConfig(), st, h.keys, text, rig.chain, worker.Prices{},
		worker.Env{Now: h.clock.Now, Rand: func() float64 { return 0.5 }, Log: slog.New(slog.NewJSONHandler(h.logs, nil)), Sent: ledger, Resend: r})
	if err != nil {
		t.Fatal(err)
	}
	return rig
}

// first sends a new sign-in code through a and returns the delivery check
// the worker scheduled, the job and its code.
func (r *resendRig) first() (check *worker.FollowUp, m schema.Message, code string) {
	r.t.Helper()
	body, m, code := r.message()
	o := r.process(body)
	if o.Reason != worker.ReasonSent || o.Then == nil {
		r.t.Fatalf("first send: %+v, want sent with a delivery check", o)
	}
	return o.Then, m, code
}

func (r *resendRig) receipt(provider, id string, s delivery.Status, code string) {
	r.t.Helper()
	if _, err := r.ledger.ApplyReceipt(context.Background(), delivery.Receipt{Provider: provider, MessageID: id, Status: s, ErrorCode: code, At: r.clock.Now()}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *resendRig) sent(name string) []providers.Message { return r.byName[name].Sent() }

func TestResendDecisions(t *testing.T) {
	cases := []struct {
		name    string
		before  func(r *resendRig, m schema.Message)
		advance time.Duration
		want    string
		resent  bool
	}{
		{"no receipt within the timeout", nil, 20 * time.Second, worker.ReasonResent, true},
		{"handed to the carrier, not delivered", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Handed, "")
		}, 20 * time.Second, worker.ReasonResent, true},
		{"filtered by the carrier (30007)", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Undelivered, "30007")
		}, 20 * time.Second, worker.ReasonResent, true},
		{"SNS: blocked as spam", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Failed, "spam")
		}, 20 * time.Second, worker.ReasonResent, true},
		{"delivered", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Delivered, "")
		}, 20 * time.Second, worker.ReasonDelivered, false},
		{"opted out (21610)", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Undelivered, "21610")
		}, 20 * time.Second, worker.ReasonNoRoute, false},
		{"unknown handset (30005)", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Undelivered, "30005")
		}, 20 * time.Second, worker.ReasonNoRoute, false},
		{"SNS: opted out", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Failed, "opted-out")
		}, 20 * time.Second, worker.ReasonNoRoute, false},
		{"SNS: invalid number", func(r *resendRig, m schema.Message) {
			r.receipt("a", "SM"+m.MessageID, delivery.Failed, "invalid-number")
		}, 20 * time.Second, worker.ReasonNoRoute, false},
		{"consumed", func(r *resendRig, m schema.Message) {
			if err := r.store.Consume(context.Background(), m.ChallengeID, "verify-1"); err != nil {
				r.t.Fatal(err)
			}
		}, 20 * time.Second, worker.ReasonNotDeliverable, false},
		{"voided", func(r *resendRig, m schema.Message) {
			if err := r.store.VoidChallenge(context.Background(), m.ChallengeID); err != nil {
				r.t.Fatal(err)
			}
		}, 20 * time.Second, worker.ReasonNotDeliverable, false},
		{"too little of the code left", nil, 2*time.Minute + 31*time.Second, worker.ReasonTooLate, false},
		{"expired", nil, 4 * time.Minute, worker.ReasonTooLate, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newResendRig(t, worker.DefaultResendConfig())
			check, m, code := r.first()
			if check.After != 20*time.Second {
				t.Errorf("check scheduled after %s, want SMS_DELIVERY_TIMEOUT's 20s", check.After)
			}
			if testutil.HoldsCode(string(check.Body), code) {
				t.Fatal("the delivery check holds the code in the open")
			}
			if tc.before != nil {
				tc.before(r, m)
			}
			r.clock.Advance(tc.advance)
			o := r.process(check.Body)
			if o.Reason != tc.want {
				t.Fatalf("check: %+v, want %s", o, tc.want)
			}
			got := r.sent("b")
			if !tc.resent {
				if len(got) != 0 {
					t.Errorf("%d SMS through b, want none", len(got))
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Body, code) {
				t.Fatalf("resent %+v, want one SMS through b with the same code", got)
			}
			if o.Then != nil {
				t.Error("a second check scheduled with SMS_MAX_SENDS_PER_CODE=2")
			}
			if c := r.challenge(m.ChallengeID); c.Delivery.Provider != "b" || len(c.Delivery.Via) != 2 {
				t.Errorf("delivery after the resend %+v, want sent by b, via a and b", c.Delivery)
			}
			if n := len(r.sent("a")); n != 1 {
				t.Errorf("%d SMS through a, want 1", n)
			}
		})
	}
}

// Duplicate and late checks and receipts: at most one resend per send,
// never twice through a provider, never more than SMS_MAX_SENDS_PER_CODE.
func TestResendBounds(t *testing.T) {
	cfg := worker.DefaultResendConfig()
	cfg.MaxSends = 3
	r := newResendRig(t, cfg)
	check, m, _ := r.first()
	r.clock.Advance(20 * time.Second)
	o := r.process(check.Body)
	if o.Reason != worker.ReasonResent || o.Then == nil {
		t.Fatalf("first check: %+v, want resent with a check of its own", o)
	}
	for i := range 3 {
		if again := r.process(check.Body); again.Reason != worker.ReasonDuplicate {
			t.Errorf("duplicate check %d: %+v, want duplicate", i, again)
		}
	}
	// A late undelivered receipt for the first send changes nothing more.
	r.receipt("a", "SM"+m.MessageID, delivery.Undelivered, "30007")
	if again := r.process(check.Body); again.Reason != worker.ReasonDuplicate {
		t.Errorf("check after a late receipt: %+v", again)
	}
	r.clock.Advance(20 * time.Second)
	third := r.process(o.Then.Body)
	if third.Reason != worker.ReasonResent || third.Then != nil {
		t.Fatalf("second check: %+v, want resent and no more checks (3 SMS)", third)
	}
	if third := r.process(o.Then.Body); third.Reason != worker.ReasonDuplicate {
		t.Errorf("repeat of the second check: %+v", third)
	}
	for _, name := range []string{"a", "b", "c"} {
		if n := len(r.sent(name)); n != 1 {
			t.Errorf("%d SMS through %s, want 1", n, name)
		}
	}
}

// With every provider of the order used, a check sends nothing and puts
// the delivery back as it was.
func TestResendNoProviderLeft(t *testing.T) {
	cfg := worker.DefaultResendConfig()
	cfg.MaxSends = 3
	r := newResendRig(t, cfg, "a")
	check, m, _ := r.first()
	r.clock.Advance(20 * time.Second)
	if o := r.process(check.Body); o.Reason != worker.ReasonNoProvider {
		t.Fatalf("check: %+v, want %s", o, worker.ReasonNoProvider)
	}
	if c := r.challenge(m.ChallengeID); c.Delivery.Provider != "a" || c.Delivery.ProviderID != "SM"+m.MessageID || c.Delivery.State.String() != "sent" {
		t.Errorf("delivery %+v, want sent by a as before", c.Delivery)
	}
}

// The timer is SQS's DelaySeconds: on fauxqs the check is not received
// before its delay, and then the resend goes out through the driver.
func TestResendCheckDelayedOnSQS(t *testing.T) {
	r := resendOnSQS(t)
	body, _, code := r.message()
	r.viaSQS(body, code)
}

// resendOnSQS is a rig whose checks come back after 2 s.
func resendOnSQS(t *testing.T) *resendRig {
	cfg := worker.DefaultResendConfig()
	cfg.Timeout, cfg.MinLife = 2*time.Second, 0
	return newResendRig(t, cfg)
}

// viaSQS puts a job on a fauxqs queue and polls it with the driver: the
// check is not visible at once, and then one SMS through b carries code.
func (r *resendRig) viaSQS(body []byte, code string) {
	t := r.t
	t.Helper()
	client := testenv.SQS(t)
	url, dlq := queues(t, client, 5, 30)
	d := newDriver(t, r.harness, client, url, dlq)
	d.WaitTime = 0
	send(t, client, url, body)
	if n, err := d.PollOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("first poll: %d, %v", n, err)
	}
	out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 0 {
		t.Fatalf("%d messages visible at once, want the check delayed", len(out.Messages))
	}
	d.WaitTime = 5 * time.Second
	deadline := time.Now().Add(20 * time.Second)
	for len(r.sent("b")) == 0 && time.Now().Before(deadline) {
		if _, err := d.PollOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.sent("b"); len(got) != 1 || !strings.Contains(got[0].Body, code) {
		t.Fatalf("resent %+v, want one SMS through b with the same code", got)
	}
	if left := drain(t, client, dlq); len(left) != 0 {
		t.Errorf("%d dead letters", len(left))
	}
}

// A resend goes through the chain's own breakers: its failures open a
// provider's breaker as a first send's do, a provider whose breaker is open
// is skipped, and a resend's success (a half-open trial) closes it again.
func TestResendFeedsTheChainsBreakers(t *testing.T) {
	breaker := providers.BreakerConfig{Failures: 2, CoolDown: 30 * time.Second}
	r := newResendRigSending(t, worker.DefaultResendConfig(), func(list []providers.Provider, now func() time.Time) *providers.Chain {
		c, err := providers.NewChain(list, nil, breaker, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
	bDown := true
	r.byName["b"].fail = func(int, providers.Message) error {
		if bDown {
			return transient("503")
		}
		return nil
	}
	state := func(when string, want providers.BreakerState) {
		t.Helper()
		if st, _ := r.chain.BreakerState("b"); st != want {
			t.Fatalf("%s: b's breaker %s, want %s", when, st, want)
		}
	}
	resend := func(via string) {
		t.Helper()
		check, m, code := r.first()
		r.clock.Advance(20 * time.Second)
		if o := r.process(check.Body); o.Reason != worker.ReasonResent {
			t.Fatalf("check: %+v, want resent", o)
		}
		if c := r.challenge(m.ChallengeID); c.Delivery.Provider != via {
			t.Fatalf("resent by %q, want %s", c.Delivery.Provider, via)
		}
		got := r.byName[via].Sent()
		if len(got) == 0 || !strings.Contains(got[len(got)-1].Body, code) {
			t.Fatalf("%s did not carry the code", via)
		}
	}
	// b fails each resend, c takes it; after SMS_BREAKER_FAILURES of them
	// b's breaker is open.
	resend("c")
	state("after one failed resend", providers.BreakerClosed)
	resend("c")
	state("after two failed resends", providers.BreakerOpen)
	calls := len(r.byName["b"].calledSnapshot())
	resend("c")
	if n := len(r.byName["b"].calledSnapshot()); n != calls {
		t.Errorf("b called %d more times with its breaker open", n-calls)
	}
	// After the cool-down a resend is b's trial, and its success closes it.
	r.clock.Advance(breaker.CoolDown)
	bDown = false
	resend("b")
	state("after a successful trial by a resend", providers.BreakerClosed)
}
