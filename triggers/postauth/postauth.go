// Package postauth is the PostAuthentication trigger. It sits apart from
// package triggers so that its function links no phone numbering plan: it
// finds its proof by the number as the pool spells it, which is how Create
// keyed it.
package postauth

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// ChallengeReader is the read side of the challenge store.
type ChallengeReader interface {
	GetChallenge(ctx context.Context, id string) (otp.Challenge, error)
	GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error)
}

// PhoneVerifier marks a user's phone number verified in the user pool.
type PhoneVerifier interface {
	MarkPhoneVerified(ctx context.Context, userPoolID, username string) error
}

// proofWindow is how long after a code's expiry its use still proves the
// number: PostAuthentication runs right after the answer that consumed it.
const proofWindow = time.Minute

// PostAuthentication marks the phone number verified after the first
// successful code: answering the code proved the user holds the number.
type PostAuthentication struct {
	pool     PhoneVerifier
	proof    ChallengeReader
	deadline time.Duration
	env      handlerenv.Env
}

// New returns the trigger. proof is where it checks that this sign-in
// really answered a code sent to the number; deadline 0 means
// handlerenv.DefaultDeadline.
func New(pool PhoneVerifier, proof ChallengeReader, deadline time.Duration, env handlerenv.Env) (*PostAuthentication, error) {
	if pool == nil || proof == nil {
		return nil, errors.New("post-authentication trigger: pool and proof are required")
	}
	if deadline <= 0 {
		deadline = handlerenv.DefaultDeadline
	}
	return &PostAuthentication{pool: pool, proof: proof, deadline: deadline, env: env.WithDefaults()}, nil
}

// Handle never fails the sign-in: the user is already authenticated, and a
// failed update is retried on the next sign-in. Failures are logged and
// counted (metric PhoneVerifyFailed) for an alarm.
//
// The number is verified only if the reuse pointer for it and this app
// client names a challenge that was just consumed: if a pool also allowed a
// password flow, someone who signed up with another person's number could
// otherwise get it verified without ever receiving a code.
func (h *PostAuthentication) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
	if err := refusal.CheckSource(source.PostAuthentication, h.env.Log, ev.TriggerSource); err != nil {
		return ev, err
	}
	attrs := ev.Request.UserAttributes
	number := attrs["phone_number"]
	if number == "" || attrs["phone_number_verified"] == "true" {
		return ev, nil
	}
	ctx, cancel := context.WithTimeout(ctx, h.deadline)
	defer cancel()
	log := h.env.Log.With("trigger", "PostAuthentication", "phone", mask.Phone(number))
	proved, err := h.provedByCode(ctx, number, ev.CallerContext.ClientID)
	if err != nil {
		log.Error("check the code proof failed", "err", err)
		h.env.Metrics.Count("PhoneVerifyFailed")
		return ev, nil
	}
	if !proved {
		log.Warn("sign-in did not answer a code sent to this number; phone left unverified")
		h.env.Metrics.Count("PhoneVerifyUnproved")
		return ev, nil
	}
	if err := h.pool.MarkPhoneVerified(ctx, ev.UserPoolID, ev.UserName); err != nil {
		log.Error("mark phone verified failed", "err", err)
		h.env.Metrics.Count("PhoneVerifyFailed")
		return ev, nil
	}
	log.Info("phone number verified")
	h.env.Metrics.Count("PhoneVerified")
	return ev, nil
}

func (h *PostAuthentication) provedByCode(ctx context.Context, number, clientID string) (bool, error) {
	// Create keys the pointer by the number as the pool holds it, the
	// spelling this event carries (otp.Challenge.PointerPhone): an account
	// registered before PreSignUp required canonical E.164 is found without
	// parsing the number here.
	ptr, err := h.proof.GetPointer(ctx, number, clientID)
	if errors.Is(err, otp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c, err := h.proof.GetChallenge(ctx, ptr.ChallengeID)
	if errors.Is(err, otp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.Consumed && !c.Voided && !c.Decoy && c.PointerPhone() == number &&
		h.env.Now().Before(c.ExpiresAt.Add(proofWindow)), nil
}
