package triggers_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// lostAnswerStore writes each challenge, then (while lose is set) answers
// with an error, as a connection reset after the request was sent does.
type lostAnswerStore struct {
	triggers.Store
	lose bool
}

func (s *lostAnswerStore) PutChallenge(ctx context.Context, c otp.Challenge, ctrs []otp.Counter, claim otp.PointerClaim) error {
	if err := s.Store.PutChallenge(ctx, c, ctrs, claim); err != nil || !s.lose {
		return err
	}
	return errors.New("put challenge: read: " + syscall.ECONNRESET.Error())
}

// Found by the soak (issue 13): a challenge written whose answer was lost
// stayed behind the reuse pointer with no SMS queued, so the person's next
// tries within the 30 s resend cooldown got a challenge and never a code.
// Now it is voided, and the next try makes a new code and queues its SMS.
func TestCreateLostWriteAnswerLeavesNoCodeWithoutSMS(t *testing.T) {
	base := newHarness(t)
	st := &lostAnswerStore{Store: mem.New(base.clock.Now), lose: true}
	h := newHarnessWith(t, base.clock, st, base.queue.Queue, base.inbox, testSecret)
	ev := createEventFor(h, "+14155550123", true)
	if _, err := h.create.Handle(context.Background(), ev); err == nil || !containsCode(err, triggers.CodeUnavailable) {
		t.Fatalf("Create with the write's answer lost: %v, want %s", err, triggers.CodeUnavailable)
	}
	if got := h.inbox(); len(got) != 0 {
		t.Fatalf("%d SMS queued for a Create that failed", len(got))
	}
	st.lose = false
	out, err := h.create.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("the next try: %v", err)
	}
	msgs := h.inbox()
	if len(msgs) != 1 || msgs[0].ChallengeID != out.Response.PrivateChallengeParameters[triggers.ParamChallengeID] {
		t.Fatalf("the next try queued %d SMS, want 1 for the challenge it answered (%+v)", len(msgs), msgs)
	}
}

func containsCode(err error, code string) bool {
	var r *triggers.Refusal
	return errors.As(err, &r) && r.Code == code
}
