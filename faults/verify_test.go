package faults_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// verdict is what one Verify invocation told Cognito.
type verdict int

const (
	right verdict = iota + 1
	wrong
	unavailable
)

// Verify under 20% DynamoDB faults. Each sign-in answers wrong 0 to 2
// times, then right, and answers again whatever got OTP_UNAVAILABLE, up
// to the cap of 3 invocations counted. An answer is never judged twice
// (the stored attempts never exceed the invocations), a right answer is
// never "wrong" while invocations are under the cap (it is OTP_UNAVAILABLE
// instead), and the cap holds.
func TestVerifyUnderFaults(t *testing.T) {
	n := 80
	if long() {
		n = 1500
	}
	sd := seed(t)
	s := newStack(t, sd, faultproxy.Config{Rate: 0.2}, faultproxy.Config{})
	keys := staticKeys(testSecret)
	create, _ := s.triggersOver(s.direct, s.queueVia(s.sqsDirect), keys)
	_, verify := s.triggersOver(s.faulty, s.queueVia(s.sqsDirect), keys)

	ids := make([]string, n)
	for i := range n {
		out, err := create.Handle(context.Background(), createEvent(number(i)))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = out.Response.PrivateChallengeParameters[triggers.ParamChallengeID]
	}
	codes := map[string]string{}
	for _, q := range s.drain(s.queueURL, keyring(t, testSecret)) {
		codes[q.msg.ChallengeID] = q.code
	}
	r := rng(sd)
	wrongs := make([]int, n)
	for i := range wrongs {
		wrongs[i] = r.IntN(3)
	}
	maxAttempts := triggerConfig().Policy.MaxAttempts
	type run struct {
		verdicts                         []verdict
		rightAsWrong, rightAsUnavailable int
		signedIn                         bool
	}
	runs := make([]run, n)
	parallel(n, 8, func(i int) {
		code := codes[ids[i]]
		answers := make([]string, 0, 3)
		for range wrongs[i] {
			answers = append(answers, wrongAnswer(code))
		}
		answers = append(answers, code)
		ru := &runs[i]
		for a := 0; a < len(answers) && len(ru.verdicts) < maxAttempts+2; {
			v := judge(verify, ids[i], answers[a])
			ru.verdicts = append(ru.verdicts, v)
			isRight := answers[a] == code
			switch {
			case v == unavailable:
				if isRight {
					ru.rightAsUnavailable++
				}
				continue // the client answers the same again
			case isRight && v == wrong:
				ru.rightAsWrong++
			case isRight && v == right:
				ru.signedIn = true
			case !isRight && v == right:
				t.Errorf("%s: a wrong answer was accepted", ids[i])
			}
			if isRight {
				break
			}
			a++
		}
	})

	var tally struct{ invocations, right, wrong, unavailable, signedIn, lostToCap, unconfirmed, maxStored int }
	for i, ru := range runs {
		c, err := s.direct.GetChallenge(context.Background(), ids[i])
		if err != nil {
			t.Fatal(err)
		}
		tally.invocations += len(ru.verdicts)
		tally.maxStored = max(tally.maxStored, c.Attempts)
		for _, v := range ru.verdicts {
			switch v {
			case right:
				tally.right++
			case wrong:
				tally.wrong++
			case unavailable:
				tally.unavailable++
			}
		}
		if c.Attempts > len(ru.verdicts) {
			t.Errorf("%s: %d attempts stored for %d answers: an answer was counted twice (%v)", ids[i], c.Attempts, len(ru.verdicts), ru.verdicts)
		}
		if c.Attempts > maxAttempts {
			t.Errorf("%s: %d attempts stored, over the cap %d", ids[i], c.Attempts, maxAttempts)
		}
		if ru.signedIn {
			tally.signedIn++
		}
		if ru.rightAsWrong > 0 {
			before := len(ru.verdicts) - 1
			switch {
			case before >= maxAttempts:
				// Only invocations already counted spent the attempts.
				tally.lostToCap++
			case c.Consumed && ru.rightAsUnavailable > 0:
				// A right answer's consume was applied, but neither its
				// answer nor the read after it arrived: OTP_UNAVAILABLE,
				// and the challenge is used up.
				tally.unconfirmed++
			default:
				t.Errorf("%s: right answer judged wrong after %d invocations (cap %d): %v", ids[i], before, maxAttempts, ru.verdicts)
			}
		}
	}
	t.Logf("verify under faults: %d sign-ins, %d Verify invocations: %d right, %d wrong, %d OTP_UNAVAILABLE; %d signed in, %d whose right answer came after OTP_UNAVAILABLE answers had spent the %d attempts, %d whose consume was applied but could not be confirmed; 0 answers counted twice, at most %d attempts stored",
		n, tally.invocations, tally.right, tally.wrong, tally.unavailable, tally.signedIn, tally.lostToCap, maxAttempts, tally.unconfirmed, tally.maxStored)
	t.Logf("dynamodb faults: %s", s.ddbProxy.Stats())
	if t.Failed() {
		t.Logf("logs:\n%s", s.logs.String())
	}
}

// judge runs Verify once.
func judge(v *triggers.Verify, id, answer string) verdict {
	out, err := v.Handle(context.Background(), verifyEvent(id, answer))
	switch {
	case err != nil:
		return unavailable
	case out.Response.AnswerCorrect:
		return right
	}
	return wrong
}

// wrongAnswer is a code-shaped answer other than code.
func wrongAnswer(code string) string {
	var n int
	fmt.Sscan(code, &n)
	return fmt.Sprintf("%0*d", len(code), (n+1)%1000000)
}

func (v verdict) String() string {
	return [...]string{"?", "right", "wrong", "unavailable"}[v]
}
