package triggers

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// PreSignUp confirms phone sign-ups at once, so no account is left
// UNCONFIRMED waiting for a code Cognito never sends in this design. It never
// verifies the number: that happens after the first code is answered.
type PreSignUp struct {
	phone phone.Policy
	env   Env
}

// NewPreSignUp returns the trigger.
func NewPreSignUp(p phone.Policy, env Env) *PreSignUp {
	return &PreSignUp{phone: p, env: env.WithDefaults()}
}

// Handle refuses numbers that could never get a code, and auto-confirms.
func (h *PreSignUp) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	if err := checkSource(source.PreSignUp, h.env.Log, ev.TriggerSource); err != nil {
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
	num, err := h.phone.Parse(raw)
	if err != nil {
		log.Info("sign-up refused", "err", err)
		return ev, phoneRefusal(err)
	}
	// One phone, one account: +330612345678 and +33612345678 are one number,
	// and would share its send caps and reuse pointer, so a code sent for
	// one account's sign-in could answer the other's. Only the canonical
	// spelling registers, so the pool's uniqueness check sees every copy.
	if raw != num.E164 {
		log.Info("sign-up refused: number not in canonical E.164")
		return ev, &Refusal{Code: CodeNumberNotCanonical, Canonical: num.E164}
	}
	ev.Response.AutoConfirmUser = true
	log.Info("sign-up accepted")
	return ev, nil
}
