package faults_test

import (
	"context"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// storedSecret is the secret's value in Secrets Manager: each function's
// secret.Cache fetches it.
type storedSecret struct{ v atomic.Value }

func (s *storedSecret) Fetch(context.Context) ([]byte, error) {
	return []byte(s.v.Load().(string)), nil
}

// The code in a rendered SMS ("Your sign-in code is 123456. ...").
var smsCode = regexp.MustCompile(`code is ([0-9]{6})`)

// Secret rotation end to end: codes made under secret A, whose messages
// wait on fauxqs, are unsealed by the worker and verify while the secret
// is {"current": B, "previous": [A]}, and neither once it is B alone.
// Each function (Create, Verify, the worker) has its own secret.Cache, as
// each Lambda does; the caches' clock passes their TTL after each change.
func TestSecretRotationEndToEnd(t *testing.T) {
	s := newStack(t, 1, faultproxy.Config{}, faultproxy.Config{})
	stored := &storedSecret{}
	stored.v.Store(secretA)
	clk := testutil.NewClock(time.Now())
	keys := func() *otp.KeySource { return otp.NewKeySource(secret.NewCache(stored, time.Minute, clk.Now)) }
	createKeys, verifyKeys, workerKeys := keys(), keys(), keys()
	rotate := func(v string) {
		stored.v.Store(v)
		clk.Advance(time.Minute + time.Second)
	}
	late := s.otherQueue() // holds a message until the overlap has ended
	create, _ := s.triggersOver(s.direct, s.queueVia(s.sqsDirect), createKeys)
	createLate, _ := s.triggersOver(s.direct, late.via, createKeys)
	_, verify := s.triggersOver(s.direct, s.queueVia(s.sqsDirect), verifyKeys)

	ph := newPhones("rec", func(m providers.Message) (string, string) {
		sub := smsCode.FindStringSubmatch(m.Body)
		if sub == nil {
			t.Errorf("no code in the SMS text")
			return "", ""
		}
		return "", sub[1]
	})
	w := s.worker(s.direct, workerKeys, providers.Single{Provider: ph}, worker.DefaultConfig())
	deliverAll := func(url string) {
		t.Helper()
		d, err := worker.NewDriver(w, s.sqsDirect, url, s.dlq)
		if err != nil {
			t.Fatal(err)
		}
		d.WaitTime = 0
		for {
			n, err := d.PollOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}
	signIn := func(c *triggers.Create, phone string) string {
		t.Helper()
		out, err := c.Handle(context.Background(), createEvent(phone))
		if err != nil {
			t.Fatalf("Create for %s: %v", phone, err)
		}
		return out.Response.PrivateChallengeParameters[triggers.ParamChallengeID]
	}
	answer := func(id, phone string) bool {
		t.Helper()
		got := ph.got[phone]
		if len(got) != 1 {
			t.Fatalf("%s got %d SMS, want 1", phone, len(got))
		}
		out, err := verify.Handle(context.Background(), verifyEvent(id, got[0].code))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		return out.Response.AnswerCorrect
	}

	// Under A: three codes queued; the third on the queue the worker
	// reads only after the overlap.
	p1, p2, p3, p4 := number(1), number(2), number(3), number(4)
	id1, id2 := signIn(create, p1), signIn(create, p2)
	id3 := signIn(createLate, p3)

	rotate(`{"current": "` + secretB + `", "previous": ["` + secretA + `"]}`)
	deliverAll(s.queueURL) // A's messages, opened during the overlap
	id4 := signIn(create, p4)
	deliverAll(s.queueURL)
	c1, _ := s.direct.GetChallenge(context.Background(), id1)
	c4, _ := s.direct.GetChallenge(context.Background(), id4)
	if c1.KeyID == c4.KeyID || c1.KeyID != keyring(t, secretA).CurrentKeyID() {
		t.Errorf("key ids: %q under A, %q under the overlap; want A's, then B's", c1.KeyID, c4.KeyID)
	}
	if !answer(id1, p1) {
		t.Error("overlap: a code made under A does not verify")
	}
	if !answer(id4, p4) {
		t.Error("overlap: a code made under B does not verify")
	}

	rotate(secretB)
	if answer(id2, p2) {
		t.Error("after the overlap: a code made under A verifies")
	}
	deliverAll(late.url)
	if n := len(ph.got[p3]); n != 0 {
		t.Errorf("after the overlap: a message sealed under A was sent (%d SMS)", n)
	}
	reasons := s.deadLetterReasons()
	if len(reasons) != 1 || reasons[0] != worker.ReasonUnseal {
		t.Errorf("dead letters %v, want one %q", reasons, worker.ReasonUnseal)
	}
	c3, err := s.direct.GetChallenge(context.Background(), id3)
	if err != nil || c3.Delivery.State != otp.DeliveryNone {
		t.Errorf("the unsealable message's challenge: %+v, %v (want never claimed)", c3.Delivery, err)
	}
	t.Logf("rotation: during the overlap 3 of 3 queued messages (2 sealed under A, 1 under B) sent, codes under A and B verify; after it a code under A is refused and its queued message is dead-lettered (%s)", worker.ReasonUnseal)
}

// lateQueue is a second queue and a Create-side client for it.
type lateQueue struct {
	url string
	via triggers.Queue
}

func (s *stack) otherQueue() lateQueue {
	s.t.Helper()
	url, _ := newQueues(s.t, s.sqsDirect)
	save := s.queueURL
	s.queueURL = url
	q := s.queueVia(s.sqsDirect)
	s.queueURL = save
	return lateQueue{url: url, via: q}
}

// deadLetterReasons reads the reason attribute of every dead letter.
func (s *stack) deadLetterReasons() []string {
	s.t.Helper()
	var reasons []string
	for {
		res, err := s.sqsDirect.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(s.dlq), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}, VisibilityTimeout: 60})
		if err != nil {
			s.t.Fatal(err)
		}
		if len(res.Messages) == 0 {
			return reasons
		}
		for _, m := range res.Messages {
			reasons = append(reasons, aws.ToString(m.MessageAttributes[worker.AttrReason].StringValue))
		}
	}
}
