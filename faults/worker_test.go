package faults_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// workerConfig is the default with timings short enough for a test: a
// claim is stale after 6 s, retries come after 0.5 to 2 s. A send still
// gets 4 s, so a slow machine does not turn slowness into duplicates.
func workerConfig() worker.Config {
	c := worker.DefaultConfig()
	c.ClaimStale, c.SendTimeout = 6*time.Second, 4*time.Second
	c.BackoffBase, c.BackoffMax = 500*time.Millisecond, 2*time.Second
	return c
}

// fillTries is how often fill asks Create for a number's code.
const fillTries = 10

// fill signs n numbers in (no faults) so n sealed messages wait on the
// queue; codes live 15 minutes so a long run has none expire. It returns
// the numbers.
func (s *stack) fill(n int) []string {
	s.t.Helper()
	cfg := triggerConfig()
	cfg.Policy.TTL, cfg.Policy.SessionValidity = 15*time.Minute, 15*time.Minute
	q := &enqueued{Queue: s.queueVia(s.sqsDirect), ok: map[string]bool{}}
	create, err := triggers.NewCreate(cfg, s.direct, q, staticKeys(testSecret), triggers.Env{Log: s.log})
	if err != nil {
		s.t.Fatal(err)
	}
	phones := make([]string, n)
	ok := make([]bool, n)
	var failed atomic.Int64
	// Few at once: on a loaded machine each Create then stays within its
	// deadline (fill is the scenario's setup, not under test).
	workers := 4
	if long() {
		workers = 16
	}
	parallel(n, workers, func(i int) {
		phones[i] = number(i)
		// A loaded machine can pass Create's 4 s deadline: ask again a
		// little later, as a user would.
		for try := 0; ; try++ {
			ev, err := create.Handle(context.Background(), createEvent(phones[i]))
			if err == nil {
				ok[i] = true
				s.noteChallenge(phones[i], ev.Response.PrivateChallengeParameters[triggers.ParamChallengeID])
				return
			}
			if try == fillTries-1 {
				failed.Add(1)
				return
			}
			time.Sleep(time.Duration(try+1) * 250 * time.Millisecond)
		}
	})
	if failed.Load() > int64(n/100) {
		s.t.Fatalf("%d of %d Creates failed %d times without faults", failed.Load(), n, fillTries)
	}
	if failed.Load() > 0 {
		// Under heavy load a few pass the deadline every time: their
		// numbers are left out of the counts.
		s.t.Logf("%d of %d Creates failed %d times without faults (a loaded machine); left out", failed.Load(), n, fillTries)
	}
	var signedIn []string
	unqueued := 0
	for i, p := range phones {
		switch {
		case !ok[i]:
		case !q.has(s.answered(p)):
			unqueued++
		default:
			signedIn = append(signedIn, p)
		}
	}
	if unqueued > 0 {
		// Create's "unvoided" case (see the Create scenario): a replay
		// reused the challenge its first attempt stored past the deadline
		// and could not void in time, so no SMS was ever enqueued for it.
		// Not the worker's to deliver; counted in the Create scenario.
		s.t.Logf("%d of %d Creates answered with a challenge they never enqueued (a store slower than Create's deadline: the Create scenario's unvoided case); left out", unqueued, n)
	}
	if len(signedIn) < n/2 {
		s.t.Fatalf("only %d of %d numbers have a message queued: too loaded to set the scenario up", len(signedIn), n)
	}
	return signedIn
}

// enqueued is Create's queue, noting the challenges whose message it
// took: a number counts for the worker only if its message was queued.
type enqueued struct {
	triggers.Queue
	mu sync.Mutex
	ok map[string]bool
}

func (q *enqueued) Enqueue(ctx context.Context, m schema.Message) error {
	err := q.Queue.Enqueue(ctx, m)
	if err == nil {
		q.mu.Lock()
		q.ok[m.ChallengeID] = true
		q.mu.Unlock()
	}
	return err
}

func (q *enqueued) has(challenge string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ok[challenge]
}

// recordTimer wraps the worker's claims: it counts failed records and
// times each record, the window in which a lost write means a second SMS.
type recordTimer struct {
	worker.Claims
	failed atomic.Int64
	mu     sync.Mutex
	took   []time.Duration
}

func (r *recordTimer) Record(ctx context.Context, id string, claimedAt time.Time, o otp.Outcome) error {
	start := time.Now()
	err := r.Claims.Record(ctx, id, claimedAt, o)
	r.mu.Lock()
	r.took = append(r.took, time.Since(start))
	r.mu.Unlock()
	if err != nil {
		r.failed.Add(1)
	}
	return err
}

func (r *recordTimer) window() (p50, max time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.took) == 0 {
		return 0, 0
	}
	d := slices.Clone(r.took)
	slices.Sort(d)
	return d[len(d)/2], d[len(d)-1]
}

// outcome is where every message ended: SMS per number, dead letters'
// reasons per number.
type outcome struct {
	sms  map[string][]sms
	dead map[string]string
	// late: numbers whose message was still on the queue when the workers
	// stopped at the time limit (unfinished, not lost); unsettled: messages
	// still in flight after settleBound, numbers unknown.
	late      map[string]bool
	unsettled int
}

// runWorkers polls the queue through the SQS proxy with 4 pollers until
// every number has an SMS or a dead letter, or until limit, and then for
// settle more, so late copies (duplicates) land before they are counted.
func (s *stack) runWorkers(w *worker.Worker, phones []string, h *handset, limit, settle time.Duration) outcome {
	s.t.Helper()
	trace := newSQSTrace(s.sqsFaulty)
	d, err := worker.NewDriver(w, trace, s.queueURL, s.dlq)
	if err != nil {
		s.t.Fatal(err)
	}
	d.WaitTime = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := d.PollOnce(ctx); err != nil && ctx.Err() == nil {
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
	out := outcome{sms: map[string][]sms{}, dead: map[string]string{}}
	done := func() bool {
		s.takeDeadLetters(out.dead)
		for _, p := range phones {
			if len(h.inbox(p)) == 0 && out.dead[p] == "" {
				return false
			}
		}
		return true
	}
	end := time.Now().Add(limit)
	for !done() && time.Now().Before(end) {
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(settle)
	cancel()
	wg.Wait()
	s.takeDeadLetters(out.dead)
	for _, p := range phones {
		out.sms[p] = h.inbox(p)
	}
	out.late, out.unsettled = s.settleQueue()
	s.explainMissing(out, trace)
	return out
}

// settleBound is how long settleQueue waits for the messages in flight
// once the workers stopped: the longest visibility the worker sets (a busy
// claim's ClaimStale, a retry's backoff, the queue's own timeout after a
// failed visibility change), with room for a slow machine.
var settleBound = 4 * (workerConfig().ClaimStale + workerConfig().BackoffMax + 5*time.Second)

// settleQueue takes every message left on the queue once the workers have
// stopped: it receives (and deletes) what is visible until the queue holds
// nothing visible, in flight or delayed (GetQueueAttributes; fauxqs returns
// expired messages to the queue on a receive, so each round receives
// first). The numbers it finds were not finished by the time limit: late,
// not lost. unsettled is how many were still in flight at settleBound.
func (s *stack) settleQueue() (late map[string]bool, unsettled int) {
	ctx := context.Background()
	late = map[string]bool{}
	end := time.Now().Add(settleBound)
	for {
		res, err := s.sqsDirect.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(s.queueURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			s.t.Fatalf("settle queue: %v", err)
		}
		for _, m := range res.Messages {
			if dec, err := schema.DecodeMessage([]byte(aws.ToString(m.Body))); err == nil {
				late[dec.To] = true
			}
			if _, err := s.sqsDirect.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(s.queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				s.t.Fatalf("settle queue: %v", err)
			}
		}
		if len(res.Messages) > 0 {
			continue
		}
		left := s.queueDepth()
		if left == 0 || time.Now().After(end) {
			return late, left
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// queueDepth is how many messages the queue holds: visible, in flight or
// delayed.
func (s *stack) queueDepth() int {
	res, err := s.sqsDirect.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(s.queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed},
	})
	if err != nil {
		s.t.Fatalf("queue attributes: %v", err)
	}
	n := 0
	for _, v := range res.Attributes {
		k, err := strconv.Atoi(v)
		if err != nil {
			s.t.Fatalf("queue attributes: %v", err)
		}
		n += k
	}
	return n
}

// takeDeadLetters moves dead letters off the DLQ into dead (number ->
// reason).
func (s *stack) takeDeadLetters(dead map[string]string) {
	for {
		res, err := s.sqsDirect.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(s.dlq), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}, VisibilityTimeout: 60})
		if err != nil || len(res.Messages) == 0 {
			return
		}
		for _, m := range res.Messages {
			dec, err := schema.DecodeMessage([]byte(aws.ToString(m.Body)))
			if err == nil {
				dead[dec.To] = aws.ToString(m.MessageAttributes[worker.AttrReason].StringValue)
			}
			s.sqsDirect.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(s.dlq), ReceiptHandle: m.ReceiptHandle})
		}
	}
}

// tally counts numbers with no SMS, no dead letter and no message left on
// the queue (lost), with more than one SMS (duplicates), and dead letters
// by reason. A late number (its message still queued) is neither sent nor
// lost: a scenario that wants every number sent fails on it, saying so.
func (o outcome) tally() (lost, dups, sent int, dead map[string]int) {
	dead = map[string]int{}
	for p, got := range o.sms {
		switch {
		case len(got) > 0:
			sent++
			if len(got) > 1 {
				dups += len(got) - 1
			}
		case o.dead[p] != "":
			dead[o.dead[p]]++
		case o.late[p]:
		default:
			lost++
		}
	}
	return lost, dups, sent, dead
}

// unfinished says how many numbers were late (their message still queued
// at the time limit) and how many messages stayed in flight past
// settleBound: a slow machine's doing, reported apart from losses.
func (o outcome) unfinished() string {
	return fmt.Sprintf("%d late (still queued at the time limit), %d in flight after %s", len(o.late), o.unsettled, settleBound)
}

// The primary provider (Twilio) answers 5xx to everything: every code is
// delivered by the next (SNS), once.
func TestWorkerPrimaryDown(t *testing.T) {
	t.Parallel() // mostly waiting on retry delays
	s := newStack(t, 1, faultproxy.Config{}, faultproxy.Config{})
	p := newProviders(t, 1, faultproxy.Config{Rate: 1, Kinds: []faultproxy.Kind{faultproxy.ServerError}}, faultproxy.Config{})
	phones := s.fill(25)
	w := s.worker(s.direct, staticKeys(testSecret), p.chain, workerConfig())
	out := s.runWorkers(w, phones, p.phones, time.Minute, time.Second)
	lost, dups, sent, dead := out.tally()
	bySNS := 0
	for _, got := range out.sms {
		for _, m := range got {
			if m.provider == "sns" {
				bySNS++
			}
		}
	}
	if lost != 0 || dups != 0 || sent != len(phones) || bySNS != len(phones) {
		t.Errorf("primary down: %d sent (%d by SNS), %d lost, %d duplicates, dead %v, %s; want all %d by SNS, once", sent, bySNS, lost, dups, dead, out.unfinished(), len(phones))
	}
	t.Logf("primary down: %d of %d delivered by the next provider, %d lost, %d duplicates; twilio: %s; sns: %s",
		bySNS, len(phones), lost, dups, p.twilio.Stats(), p.sns.Stats())
}

// Both providers are down for 3 s, then back: every code is delivered
// after the recovery, within its life, once. Down for good, each message
// is dead-lettered after its attempts, with that reason.
func TestWorkerBothDown(t *testing.T) {
	t.Parallel() // mostly waiting on retry delays
	down := faultproxy.Config{Rate: 1, Kinds: []faultproxy.Kind{faultproxy.ServerError}}
	t.Run("for a while", func(t *testing.T) {
		t.Parallel()
		s := newStack(t, 2, faultproxy.Config{}, faultproxy.Config{})
		p := newProviders(t, 2, down, down)
		phones := s.fill(15)
		w := s.worker(s.direct, staticKeys(testSecret), p.chain, workerConfig())
		recovered := time.Now().Add(3 * time.Second)
		time.AfterFunc(time.Until(recovered), func() { p.twilio.Set(faultproxy.Config{}); p.sns.Set(faultproxy.Config{}) })
		out := s.runWorkers(w, phones, p.phones, time.Minute, time.Second)
		lost, dups, sent, dead := out.tally()
		var latest time.Duration
		for _, got := range out.sms {
			for _, m := range got {
				if m.at.Before(recovered) {
					t.Errorf("an SMS while both providers were down")
				}
				latest = max(latest, m.at.Sub(recovered))
			}
		}
		if lost != 0 || sent != len(phones) || dups != 0 || len(dead) != 0 {
			t.Errorf("both down for 3 s: %d sent, %d lost, %d duplicates, dead %v, %s", sent, lost, dups, dead, out.unfinished())
		}
		t.Logf("both down for 3 s: %d of %d delivered after recovery (the last %s after it; codes live 15 min), %d lost, %d duplicates; twilio: %s; sns: %s",
			sent, len(phones), latest.Round(100*time.Millisecond), lost, dups, p.twilio.Stats(), p.sns.Stats())
	})
	t.Run("for good", func(t *testing.T) {
		t.Parallel()
		s := newStack(t, 3, faultproxy.Config{}, faultproxy.Config{})
		p := newProviders(t, 3, down, down)
		phones := s.fill(6)
		cfg := workerConfig()
		cfg.MaxAttempts = 3
		w := s.worker(s.direct, staticKeys(testSecret), p.chain, cfg)
		out := s.runWorkers(w, phones, p.phones, time.Minute, 0)
		lost, _, sent, dead := out.tally()
		if lost != 0 || sent != 0 || dead[worker.ReasonAttemptsSpent] != len(phones) {
			t.Errorf("both down for good: %d sent, %d lost, dead %v, %s; want all %d dead-lettered as %s", sent, lost, dead, out.unfinished(), len(phones), worker.ReasonAttemptsSpent)
		}
		t.Logf("both down for good: %d of %d dead-lettered (%v) after %d attempts each, %d lost", dead[worker.ReasonAttemptsSpent], len(phones), dead, cfg.MaxAttempts, lost)
	})
}

// Half the writes that record a send fail (a 5xx, not applied, or a reset
// after it was applied), and every message is on the queue twice (as a
// Create whose SendMessage answer was lost leaves it). A copy finds the
// claim "sent" and is dropped, unless the record was lost: then the claim
// goes stale and the copy sends again. Duplicates = records lost, no more.
func TestWorkerRecordFailures(t *testing.T) {
	t.Parallel() // mostly waiting on retry delays
	isRecord := func(op string, body []byte) bool {
		return op == "UpdateItem" && bytes.Contains(body, []byte(`{"S":"sent"}`))
	}
	s := newStack(t, 4, faultproxy.Config{Rate: 0.5, Kinds: []faultproxy.Kind{faultproxy.ServerError, faultproxy.ResetAfter}, Match: isRecord}, faultproxy.Config{})
	p := newProviders(t, 4, faultproxy.Config{}, faultproxy.Config{})
	phones := s.fill(30)
	s.doubleQueue()
	rec := &recordTimer{Claims: s.faulty}
	w := s.worker(rec, staticKeys(testSecret), p.chain, workerConfig())
	// A copy that finds the claim busy waits ClaimStale, maybe twice.
	out := s.runWorkers(w, phones, p.phones, time.Minute, 2*workerConfig().ClaimStale+2*time.Second)
	lost, dups, sent, dead := out.tally()
	if lost != 0 || sent != len(phones) || int64(dups) > rec.failed.Load() {
		t.Errorf("record failures: %d sent, %d lost, %d duplicates for %d records lost, dead %v, %s", sent, lost, dups, rec.failed.Load(), dead, out.unfinished())
	}
	p50, worst := rec.window()
	t.Logf("record failures: %d of %d delivered, %d lost; %d records lost of %d sends -> %d duplicate SMS (each a lost record whose copy came back after the claim went stale); the window (provider accepted -> record written) p50 %s, max %s; dynamodb: %s",
		sent, len(phones), lost, rec.failed.Load(), sent, dups, p50.Round(time.Millisecond), worst.Round(time.Millisecond), s.ddbProxy.Stats())
}

// doubleQueue puts a second copy of every queued message on the queue.
func (s *stack) doubleQueue() {
	s.t.Helper()
	var bodies []string
	for {
		res, err := s.sqsDirect.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.queueURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			s.t.Fatal(err)
		}
		if len(res.Messages) == 0 {
			break
		}
		for _, m := range res.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			s.sqsDirect.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(s.queueURL), ReceiptHandle: m.ReceiptHandle})
		}
	}
	for _, b := range append(bodies, bodies...) {
		if _, err := s.sqsDirect.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(s.queueURL), MessageBody: aws.String(b)}); err != nil {
			s.t.Fatal(err)
		}
	}
}

// Many messages at 30% faults on DynamoDB, SQS, Twilio and SNS: 0 lost
// (every number has its SMS or a dead letter with a reason), duplicates
// counted and explained by the provider answers lost after the provider
// accepted and by records lost. OTP_FAULTS_LONG=1 runs 10,000.
func TestWorkerManyUnderFaults(t *testing.T) {
	t.Parallel() // mostly waiting on retry delays
	n, limit := 100, 2*time.Minute
	if long() {
		n, limit = 10000, 30*time.Minute
	}
	sd := seed(t)
	thirty := faultproxy.Config{Rate: 0.3}
	s := newStack(t, sd, faultproxy.Config{}, faultproxy.Config{})
	p := newProviders(t, sd, thirty, thirty)
	phones := s.fill(n)
	s.ddbProxy.Set(thirty)
	s.sqsProxy.Set(thirty)
	rec := &recordTimer{Claims: s.faulty}
	start := time.Now()
	w := s.worker(rec, staticKeys(testSecret), p.chain, workerConfig())
	out := s.runWorkers(w, phones, p.phones, limit, workerConfig().ClaimStale+2*time.Second)
	lost, dups, sent, dead := out.tally()
	explained := p.answerLost() + int(rec.failed.Load())
	if lost != 0 {
		t.Errorf("%d of %d messages lost (no SMS, no dead letter, not on the queue); %s", lost, len(phones), out.unfinished())
	}
	if dups > explained {
		t.Errorf("%d duplicate SMS, but only %d provider answers or records lost", dups, explained)
	}
	t.Logf("%d messages at 30%% faults: %d delivered, %d dead-lettered %v, %d late (still queued at the %s limit, not lost), %d in flight after %s, %d lost; %d duplicate SMS, explained by %d provider answers lost after acceptance + %d records lost; %s",
		len(phones), sent, len(out.dead), dead, len(out.late), limit, out.unsettled, settleBound, lost, dups, p.answerLost(), rec.failed.Load(), time.Since(start).Round(time.Second))
	t.Logf("faults: dynamodb %s; sqs %s; twilio %s; sns %s", s.ddbProxy.Stats(), s.sqsProxy.Stats(), p.twilio.Stats(), p.sns.Stats())
}
