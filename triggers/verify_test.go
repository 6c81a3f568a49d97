package triggers_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

type verifyEvent = events.CognitoEventUserPoolsVerifyAuthChallenge

// verifyEventFor is the answer fixture with the challenge id and answer set.
func verifyEventFor(t testing.TB, id string, answer any) verifyEvent {
	t.Helper()
	var ev verifyEvent
	if err := json.Unmarshal(fixture(t, "verify/answer.json"), &ev); err != nil {
		t.Fatal(err)
	}
	ev.Request.PrivateChallengeParameters["challengeId"] = id
	ev.Request.ChallengeAnswer = answer
	return ev
}

// answer runs Verify through the Lambda JSON path and reports answerCorrect.
func (h *harness) answer(id string, answer any) bool {
	h.t.Helper()
	payload, _ := json.Marshal(verifyEventFor(h.t, id, answer))
	ev, err := invoke(h.t, h.verify.Handle, payload)
	if err != nil {
		h.t.Fatalf("Verify: %v", err)
	}
	return ev.Response.AnswerCorrect
}

func (h *harness) attempts(id string) int {
	h.t.Helper()
	c, err := h.store.GetChallenge(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return c.Attempts
}

// newCode creates a challenge and returns its id and the code from the SMS.
func (h *harness) newCode() (string, string) {
	h.t.Helper()
	id := challengeID(h.t, h.createOK("first-round.json"))
	return id, h.code(h.oneMessage())
}

func TestVerifyRightAnswerOnce(t *testing.T) {
	h := newHarness(t)
	id, code := h.newCode()
	if !h.answer(id, code) {
		t.Fatal("right code refused")
	}
	if h.answer(id, code) {
		t.Error("the same code was accepted twice")
	}
	h.noCodeInLogs(code)
}

func TestVerifyAnswers(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(code string) any
		correct bool
	}{
		{"right", func(c string) any { return c }, true},
		{"spaces around", func(c string) any { return "  " + c + "\t" }, true},
		{"space inside", func(c string) any { return c[:3] + " " + c[3:] }, true},
		{"wrong", func(c string) any { return wrongCode(c) }, false},
		{"too short", func(c string) any { return c[:5] }, false},
		{"too long", func(c string) any { return c + "0" }, false},
		{"non-digit", func(c string) any { return c[:5] + "x" }, false},
		{"full-width digits", func(string) any { return "１２３４５６" }, false},
		{"number type", func(string) any { return 123456 }, false},
		{"null", func(string) any { return nil }, false},
		{"empty", func(string) any { return "" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id, code := h.newCode()
			if got := h.answer(id, tc.answer(code)); got != tc.correct {
				t.Errorf("answerCorrect = %v, want %v", got, tc.correct)
			}
			if n := h.attempts(id); n != 1 {
				t.Errorf("attempts = %d, want 1: every answer counts", n)
			}
		})
	}
}

func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func TestVerifyFixtures(t *testing.T) {
	tests := []struct {
		fixture     string
		counts      bool // whether the attempt is counted on the live challenge
		keepFixture bool // use the fixture's own challenge id
	}{
		{"megabyte-answer.json", true, false},
		{"number-answer.json", true, false},
		{"unknown-user.json", true, false},
		{"no-challenge-id.json", false, true},
		{"bad-challenge-id.json", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			h := newHarness(t)
			id, code := h.newCode()
			var ev verifyEvent
			if err := json.Unmarshal(fixture(t, "verify/"+tc.fixture), &ev); err != nil {
				t.Fatal(err)
			}
			if !tc.keepFixture {
				ev.Request.PrivateChallengeParameters["challengeId"] = id
			}
			if s, ok := ev.Request.ChallengeAnswer.(string); ok && s == "ANSWER" {
				ev.Request.ChallengeAnswer = code // right code, yet an unknown user must fail
			}
			payload, _ := json.Marshal(ev)
			got, err := invoke(t, h.verify.Handle, payload)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Response.AnswerCorrect {
				t.Error("answer accepted")
			}
			want := 0
			if tc.counts {
				want = 1
			}
			if n := h.attempts(id); n != want {
				t.Errorf("attempts = %d, want %d", n, want)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	h := newHarness(t)
	if _, err := invoke(t, h.verify.Handle, fixture(t, "verify/malformed.json")); err == nil {
		t.Error("malformed event accepted")
	}
}

func TestVerifyAttemptCap(t *testing.T) {
	h := newHarness(t)
	id, code := h.newCode()
	for range 3 {
		if h.answer(id, wrongCode(code)) {
			t.Fatal("wrong code accepted")
		}
	}
	if h.answer(id, code) {
		t.Error("right code accepted after the attempt cap")
	}
	if n := h.attempts(id); n != 3 {
		t.Errorf("attempts = %d, want the cap 3", n)
	}
}

func TestVerifyExpired(t *testing.T) {
	h := newHarness(t)
	id, code := h.newCode()
	h.clock.Advance(3 * time.Minute)
	if h.answer(id, code) {
		t.Error("right code accepted at expiry")
	}
}

func TestVerifyAfterRotation(t *testing.T) {
	h := newHarness(t)
	id, code := h.newCode()
	// The secret rotates between sending and answering: the old key stays
	// accepted as "previous".
	rotated := `{"current":"new-secret-0123456789abcdef-0123456789abcdef","previous":["` + testSecret + `"]}`
	h2 := newHarnessWith(t, h.clock, h.store, h.queue.Queue, h.inbox, rotated)
	if !h2.answer(id, code) {
		t.Error("code issued under the previous secret refused after rotation")
	}
}

// dimsMetrics records each count with its dimensions.
type dimsMetrics struct{ got []string }

func (m *dimsMetrics) Count(name string, dims ...metrics.Dim) {
	for _, d := range dims {
		name += " " + d.Name + "=" + d.Value
	}
	m.got = append(m.got, name)
}

// Verify counts a right answer by the country Create found for the number
// and stored with the challenge: it parses no number itself.
func TestVerifyCountsByStoredCountry(t *testing.T) {
	h := newHarness(t)
	id := challengeID(t, h.createOK("india.json"))
	code := h.code(h.oneMessage())
	m := &dimsMetrics{}
	v, err := triggers.NewVerify(h.cfg, h.store, h.keys, triggers.Env{Now: h.clock.Now, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := v.Handle(context.Background(), verifyEventFor(t, id, code)); err != nil || !out.Response.AnswerCorrect {
		t.Fatalf("right code: %v, %v", out.Response.AnswerCorrect, err)
	}
	if diff := cmp.Diff([]string{"CodeVerified Country=IN"}, m.got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}
