package triggers

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
)

// PostAuthentication marks the phone number verified after the first
// successful code: answering the code proved the user holds the number.
type PostAuthentication struct {
	pool     PhoneVerifier
	deadline time.Duration
	env      Env
}

// NewPostAuthentication returns the trigger.
func NewPostAuthentication(pool PhoneVerifier, deadline time.Duration, env Env) *PostAuthentication {
	if deadline <= 0 {
		deadline = DefaultDeadline
	}
	return &PostAuthentication{pool: pool, deadline: deadline, env: env.withDefaults()}
}

// Handle never fails the sign-in: the user already proved the code, and a
// failed update is retried on the next sign-in. Failures are logged and
// counted (metric PhoneVerifyFailed) for an alarm.
func (h *PostAuthentication) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
	attrs := ev.Request.UserAttributes
	if attrs["phone_number"] == "" || attrs["phone_number_verified"] == "true" {
		return ev, nil
	}
	ctx, cancel := context.WithTimeout(ctx, h.deadline)
	defer cancel()
	log := h.env.Log.With("trigger", "PostAuthentication", "phone", phone.Mask(attrs["phone_number"]))
	if err := h.pool.MarkPhoneVerified(ctx, ev.UserPoolID, ev.UserName); err != nil {
		log.Error("mark phone verified failed", "err", err)
		h.env.Metrics.Count("PhoneVerifyFailed")
		return ev, nil
	}
	log.Info("phone number verified")
	h.env.Metrics.Count("PhoneVerified")
	return ev, nil
}
