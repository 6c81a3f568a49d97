package faults_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// How Cognito runs Create for one sign-in: once, or again with the same
// event because the first attempt ran past its timeout (the first answer is
// then discarded), either after it or while it still runs.
type replay int

const (
	once replay = iota
	afterFirst
	alongside
)

// attempt is one Create invocation's result.
type attempt struct {
	challenge string // on success
	err       error
}

func (a attempt) ok() bool { return a.err == nil }

// createResult is one sign-in's Create attempts; the last is what the
// client sees.
type createResult struct {
	phone    string
	mode     replay
	attempts []attempt
}

func (r createResult) final() attempt { return r.attempts[len(r.attempts)-1] }

// runCreate invokes Create for ev as Cognito would under mode.
func runCreate(create *triggers.Create, ev events.CognitoEventUserPoolsCreateAuthChallenge, mode replay) []attempt {
	call := func() attempt {
		out, err := create.Handle(context.Background(), ev)
		return attempt{challenge: out.Response.PrivateChallengeParameters[triggers.ParamChallengeID], err: err}
	}
	switch mode {
	case afterFirst:
		first := call()
		return []attempt{first, call()}
	case alongside:
		var first attempt
		var wg sync.WaitGroup
		wg.Go(func() { first = call() })
		second := call()
		wg.Wait()
		return []attempt{first, second}
	}
	return []attempt{call()}
}

// Create under 20% DynamoDB and SQS faults, a third of the sign-ins
// replayed by "Cognito": every sign-in ends with one usable code and one
// SMS, or OTP_UNAVAILABLE and no code the client can use; never two SMS,
// never a code that was not enqueued.
func TestCreateUnderFaults(t *testing.T) {
	n := 100
	if long() {
		n = 2000
	}
	sd := seed(t)
	s := newStack(t, sd, faultproxy.Config{Rate: 0.2}, faultproxy.Config{Rate: 0.2})
	keys := staticKeys(testSecret)
	create, _ := s.triggersOver(s.faulty, s.queueVia(s.sqsFaulty), keys)

	r := rng(sd)
	modes := make([]replay, n)
	for i := range modes {
		modes[i] = []replay{once, once, once, once, afterFirst, alongside}[r.IntN(6)]
	}
	results := make([]createResult, n)
	parallel(n, 8, func(i int) {
		ph := number(i)
		results[i] = createResult{phone: ph, mode: modes[i], attempts: runCreate(create, createEvent(ph), modes[i])}
	})

	del := s.deliver(testSecret)
	_, verify := s.triggersOver(s.direct, s.queueVia(s.sqsDirect), keys)
	var tally struct{ ok, raced, unvoided, unavailable, replayed, lateSMS, voidFailed int }
	for _, res := range results {
		f := res.final()
		sms := del.sms[res.phone]
		if len(res.attempts) > 1 {
			tally.replayed++
		}
		if len(sms) > 1 {
			t.Errorf("%s: %d SMS for one sign-in (%v)", res.phone, len(sms), res.attempts)
		}
		switch {
		case f.ok():
			tally.ok++
			if len(sms) == 0 && s.raced(res) {
				tally.raced++
				continue
			}
			if len(sms) == 0 && s.unvoided(res) {
				tally.unvoided++
				continue
			}
			if len(sms) != 1 || sms[0].challenge != f.challenge {
				t.Errorf("%s: answered challenge %s, but SMS %v (attempts %v): a code that was not sent", res.phone, f.challenge, sms, res.attempts)
				continue
			}
			out, err := verify.Handle(context.Background(), verifyEvent(f.challenge, sms[0].code))
			if err != nil || !out.Response.AnswerCorrect {
				t.Errorf("%s: the SMS's code does not verify: %v", res.phone, err)
			}
		case isRefusal(f.err, triggers.CodeUnavailable):
			tally.unavailable++
			if len(sms) == 0 {
				continue
			}
			// Only an attempt whose answer Cognito discarded may have
			// sent one (the client has no session for it, and the next
			// sign-in within the cooldown reuses that code, unsent again),
			// or one whose enqueue failed and whose void failed too.
			switch {
			case res.attempts[0].ok() && len(res.attempts) > 1 && sms[0].challenge == res.attempts[0].challenge:
				tally.lateSMS++
			case s.voidFailed(sms[0].challenge):
				tally.voidFailed++
			default:
				t.Errorf("%s: OTP_UNAVAILABLE, yet an SMS for %s (attempts %v)", res.phone, sms[0].challenge, res.attempts)
			}
		default:
			t.Errorf("%s: Create ended with %v", res.phone, f.err)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", s.logs.String())
	}
	t.Logf("create under faults: %d sign-ins (%d replayed by Cognito): %d one code + one SMS; %d OTP_UNAVAILABLE (%d of them with an SMS from a discarded first attempt, %d with an SMS whose void failed); 0 with two SMS",
		n, tally.replayed, tally.ok-tally.raced-tally.unvoided, tally.unavailable, tally.lateSMS, tally.voidFailed)
	t.Logf("create under faults, answered without an SMS: %d with a challenge the concurrent first attempt then voided; %d with a challenge the first attempt stored after its deadline and could not void",
		tally.raced, tally.unvoided)
	voided, placeholders := s.voids()
	t.Logf("voids: %d challenges voided, %d of them found no challenge and left a placeholder (a write of it that lands later is refused)", voided, placeholders)
	t.Logf("queue: %d messages for %d challenges; worker: %v", del.messages, del.challenges, del.outcomes)
	t.Logf("dynamodb faults: %s", s.ddbProxy.Stats())
	t.Logf("sqs faults: %s", s.sqsProxy.Stats())
}

func isRefusal(err error, code string) bool {
	var r *triggers.Refusal
	return errors.As(err, &r) && r.Code == code
}

func (a attempt) String() string {
	if a.err != nil {
		return "err:" + strings.SplitN(a.err.Error(), " ", 2)[0]
	}
	return "ok:" + a.challenge[:8]
}

// raced: the replay ran alongside a first attempt that failed, reused that
// attempt's challenge before the first voided it, and so answered with a
// dead challenge: no SMS is sent for it and Verify refuses it, so the user
// asks for a code again. A replay that starts after the first attempt
// ended (Cognito's, past the handler's own deadline) cannot race so.
func (s *stack) raced(res createResult) bool {
	s.t.Helper()
	if res.mode != alongside || res.attempts[0].ok() {
		return false
	}
	c, err := s.direct.GetChallenge(context.Background(), res.final().challenge)
	return err == nil && c.Voided
}

// unvoided: the replay reused a challenge its first attempt stored and then
// failed to void (the store answered after the handler's deadline, and the
// void got no answer either), so no message was ever enqueued for it. Only
// a store slower than the handler's whole deadline does this.
func (s *stack) unvoided(res createResult) bool {
	if len(res.attempts) < 2 || res.attempts[0].ok() {
		return false
	}
	return s.voidFailed(res.final().challenge)
}

// voidFailed reports whether Create logged that it could not void id.
func (s *stack) voidFailed(id string) bool {
	return s.logged("void challenge failed", id)
}

// voids counts the challenges Create voided, and of them the placeholders:
// the void found no challenge (its write failed, or was still on its way).
func (s *stack) voids() (voided, placeholders int) {
	for _, line := range strings.Split(s.logs.String(), "\n") {
		var l struct{ Msg, Challenge string }
		if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "challenge voided" {
			continue
		}
		voided++
		if c, err := s.direct.GetChallenge(context.Background(), l.Challenge); err == nil && c.Phone == "" {
			placeholders++
		}
	}
	return voided, placeholders
}
