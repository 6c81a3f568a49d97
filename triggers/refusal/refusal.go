// Package refusal holds the errors the Cognito triggers refuse a request
// with: their text is a documented, machine-readable OTP_* code. It sits
// apart from package triggers so that the triggers living in their own
// packages (verify, postauth, presignup) refuse alike; it links no phone
// numbering plan.
package refusal

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// Refusal codes. Cognito returns a trigger's error to the client as
// UserLambdaValidationException with the message
// "CreateAuthChallenge failed with error <code>[ retryAfter=<s>]." so apps
// can parse them; docs/triggers.md documents what each means to a user.
const (
	// The number asked for too many codes; retryAfter says when it may ask again.
	CodeRateLimited = "OTP_RATE_LIMITED"
	// A country-wide or service-wide cap is reached; try again later.
	CodeCapReached = "OTP_CAP_REACHED"
	// The number's country is not in the allow-list.
	CodeCountryNotAllowed = "OTP_COUNTRY_NOT_ALLOWED"
	// The number is invalid or of a refused type (landline, premium, toll-free...).
	CodeNumberNotAllowed = "OTP_NUMBER_NOT_ALLOWED"
	// The live code's attempts are spent; a new code may be asked for after retryAfter.
	CodeAttemptsExhausted = "OTP_ATTEMPTS_EXHAUSTED"
	// A dependency (store, queue, secret) failed; nothing was sent; try again.
	CodeUnavailable = "OTP_UNAVAILABLE"
	// The event is not one this trigger handles (misconfiguration).
	CodeBadRequest = "OTP_BAD_REQUEST"
	// PreSignUp: the number is valid but not written in canonical E.164;
	// the refusal names the form to sign up with.
	CodeNumberNotCanonical = "OTP_NUMBER_NOT_CANONICAL"
)

// Refusal is the error a trigger returns to refuse a request. Its text is
// exactly what clients parse.
type Refusal struct {
	Code       string
	RetryAfter int // seconds; 0 means not given
	// Canonical is the E.164 form of a number refused for its spelling; the
	// caller typed that number, so naming it reveals nothing.
	Canonical string
}

func (r *Refusal) Error() string {
	switch {
	case r.RetryAfter > 0:
		return fmt.Sprintf("%s retryAfter=%d", r.Code, r.RetryAfter)
	case r.Canonical != "":
		return fmt.Sprintf("%s canonical=%s", r.Code, r.Canonical)
	}
	return r.Code
}

// New is a refusal with code and nothing else.
func New(code string) *Refusal { return &Refusal{Code: code} }

// CheckSource refuses, with OTP_BAD_REQUEST, an event whose triggerSource
// is not one of s (a missing one included).
func CheckSource(s source.Set, log *slog.Logger, triggerSource string) error {
	if s.Has(triggerSource) {
		return nil
	}
	log.Warn("event meant for another trigger", "trigger", s.Trigger, "triggerSource", source.Loggable(triggerSource))
	return New(CodeBadRequest)
}

// ForPhone maps an error of phone.Parse or e164.Check to the refusal
// clients see: a country outside the allow-list, or any other number.
func ForPhone(err error) *Refusal {
	if errors.Is(err, e164.ErrCountryNotAllowed) {
		return New(CodeCountryNotAllowed)
	}
	return New(CodeNumberNotAllowed)
}
