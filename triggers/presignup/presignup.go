// Package presignup is the PreSignUp trigger: where a phone number enters
// the pool, so where the whole numbering plan judges it (package phone:
// validity, type, canonical E.164). It sits apart from package triggers so
// that CreateAuthChallenge, which gets the number judged here back from
// Cognito, links no plan.
package presignup

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// PreSignUp confirms phone sign-ups at once, so no account is left
// UNCONFIRMED waiting for a code Cognito never sends in this design. It never
// verifies the number: that happens after the first code is answered.
type PreSignUp struct {
	phone phone.Policy
	env   handlerenv.Env
}

// New returns the trigger.
func New(p phone.Policy, env handlerenv.Env) *PreSignUp {
	return &PreSignUp{phone: p, env: env.WithDefaults()}
}

// Handle refuses numbers that could never get a code, and auto-confirms.
func (h *PreSignUp) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	if err := refusal.CheckSource(source.PreSignUp, h.env.Log, ev.TriggerSource); err != nil {
		return ev, err
	}
	raw := ev.Request.UserAttributes["phone_number"]
	log := h.env.Log.With("trigger", "PreSignUp", "source", source.Loggable(ev.TriggerSource), "phone", phone.Mask(raw))
	ev.Response.AutoVerifyPhone = false
	ev.Response.AutoVerifyEmail = false
	// Federated sign-ups are the identity provider's business: they need no
	// number and are left as Cognito has them.
	if ev.TriggerSource == "PreSignUp_ExternalProvider" {
		return ev, nil
	}
	num, err := phone.Parse(h.phone, raw)
	if err != nil {
		log.Info("sign-up refused", "err", err)
		return ev, refusal.ForPhone(err)
	}
	// One phone, one account: +330612345678 and +33612345678 are one number,
	// and would share its send caps and reuse pointer, so a code sent for
	// one account's sign-in could answer the other's. Only the canonical
	// spelling registers, so the pool's uniqueness check sees every copy.
	if raw != num.E164 {
		log.Info("sign-up refused: number not in canonical E.164")
		return ev, &refusal.Refusal{Code: refusal.CodeNumberNotCanonical, Canonical: num.E164}
	}
	ev.Response.AutoConfirmUser = true
	log.Info("sign-up accepted")
	return ev, nil
}
