package faults_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// Left open in docs/faults.md until now: Create's challenge write was still
// on its way when Create gave up on it and voided the challenge; the void
// found nothing and the write then landed, a live challenge with no SMS
// that Cognito's replay within the cooldown reused through the reuse
// pointer. The proxy holds the write until Create has voided and returned,
// then lets it land; the void's placeholder must refuse it whole, and the
// replay must make a new code with exactly one SMS.
func TestCreateWriteLandingAfterItsVoid(t *testing.T) {
	var mu sync.Mutex
	var heldID string
	gate := faultproxy.NewGate(func(op string, body []byte) bool {
		if op != "TransactWriteItems" {
			return false
		}
		mu.Lock()
		heldID = challengeIDOf(t, body)
		mu.Unlock()
		return true
	})
	s := newStack(t, seed(t), faultproxy.Config{Hold: gate}, faultproxy.Config{})
	keys := staticKeys(testSecret)
	create, verify := s.triggersOver(s.faulty, s.queueVia(s.sqsFaulty), keys)
	ph := number(1)
	ev := createEvent(ph)
	// Warm DynamoDB Local's update path, so the void fits its 500 ms
	// budget on a loaded machine (a void that times out is another case:
	// the "void challenge failed" of TestCreateUnderFaults).
	for range 3 {
		s.faulty.VoidChallenge(context.Background(), strings.Repeat("0", 32)) // only its time matters
	}

	// Create gives up on the write while it is held (its deadline, here
	// made to come at once), voids the challenge and answers.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-gate.Held(); cancel() }()
	if _, err := create.Handle(ctx, ev); !isRefusal(err, triggers.CodeUnavailable) {
		t.Fatalf("Create whose write is held past its deadline: %v, want %s", err, triggers.CodeUnavailable)
	}
	mu.Lock()
	id := heldID
	mu.Unlock()
	// Handle has returned, so its void has too; a void that failed is
	// another case (TestCreateUnderFaults counts those).
	if s.logged("void challenge failed", id) {
		t.Fatalf("the void of %s failed:\n%s", id, s.logs.String())
	}
	// Now the write lands.
	gate.Release()
	if st := gate.Status(); st != 400 {
		t.Errorf("the late write was answered %d; want 400, its transaction cancelled", st)
	}
	bg := context.Background()
	c, err := s.direct.GetChallenge(bg, id)
	if err != nil || !c.Voided || c.Live(c.CreatedAt) || c.Phone != "" {
		t.Errorf("after the late write, challenge %s = %+v, %v; want the void's placeholder", id, c, err)
	}
	if p, err := s.direct.GetPointer(bg, ph, clientID); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("the late write took the reuse pointer: %+v, %v", p, err)
	}

	// Cognito replays the event within the cooldown.
	out, err := create.Handle(bg, ev)
	if err != nil {
		t.Fatalf("the replay: %v", err)
	}
	answered := out.Response.PrivateChallengeParameters[triggers.ParamChallengeID]
	del := s.deliver(testSecret)
	got := del.sms[ph]
	if len(got) != 1 || got[0].challenge != answered {
		t.Fatalf("the replay answered %s (the late write's was %s) with SMS %+v; want one SMS, for the challenge answered", answered, id, got)
	}
	res, err := verify.Handle(bg, verifyEvent(answered, got[0].code))
	if err != nil || !res.Response.AnswerCorrect {
		t.Errorf("the SMS's code does not verify: %v", err)
	}
	t.Logf("late write after its void: refused whole (challenge %s stays a placeholder, no reuse pointer); the replay made %s with %d SMS; worker: %v",
		id[:8], answered[:8], len(got), del.outcomes)
}

// challengeIDOf is the id of the challenge a TransactWriteItems body puts.
func challengeIDOf(t *testing.T, body []byte) string {
	var in struct {
		TransactItems []struct {
			Put *struct {
				Item map[string]struct{ S string }
			}
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Errorf("transaction body: %v", err)
		return ""
	}
	for _, it := range in.TransactItems {
		if it.Put == nil {
			continue
		}
		if id, ok := strings.CutPrefix(it.Put.Item["pk"].S, "CH#"); ok {
			return id
		}
	}
	t.Error("transaction puts no challenge")
	return ""
}

// logged reports whether Create logged msg about challenge id.
func (s *stack) logged(msg, id string) bool {
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, `"msg":"`+msg+`"`) && strings.Contains(line, `"challenge":"`+id+`"`) {
			return true
		}
	}
	return false
}
