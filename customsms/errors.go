package customsms

import (
	"errors"
	"fmt"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
)

// Reasons a message is refused: the Refusal's Reason and the CustomSMSRefused
// metric's Reason dimension.
const (
	ReasonUnknownSource = "UnknownSource"  // triggerSource is not a Custom SMS Sender source (the error is OTP_BAD_REQUEST)
	ReasonBadRequest    = "BadRequest"     // request.type is not customSMSSenderRequestV1, or the event is for another pool
	ReasonNoPhone       = "NoPhone"        // no phone_number attribute
	ReasonNumberRefused = "NumberRefused"  // not E.164 of the plan, or country not allowed
	ReasonNotBase64     = "NotBase64"      // request.code is missing or not base64
	ReasonUndecryptable = "Undecryptable"  // wrong key, wrong pool, altered or truncated ciphertext, or KMS refused
	ReasonBadCode       = "BadCode"        // the plaintext is not a code Cognito makes
	ReasonRateLimited   = "RateLimited"    // the number's own send cap
	ReasonCapReached    = "CapReached"     // a country or global cap
	ReasonUnavailable   = "Unavailable"    // store, queue or secret failed; nothing was sent
	ReasonEarlierFailed = "EarlierAttempt" // an earlier attempt of this event failed after writing its record
)

// Refusal is the handler's error: Cognito fails the user's request (and
// retries the trigger) when the trigger returns an error. Its text names
// the reason and, for a send cap, when to try again, never a code or a
// number. The one refusal every trigger makes alike, an event meant for
// another trigger, has that refusal's text instead: the OTP_* code alone.
type Refusal struct {
	Reason     string
	RetryAfter int // seconds; 0 when not given
	cause      error
}

func (r *Refusal) Error() string {
	if common := (*refusal.Refusal)(nil); r.Reason == ReasonUnknownSource && errors.As(r.cause, &common) {
		return common.Error()
	}
	if r.RetryAfter > 0 {
		return fmt.Sprintf("custom SMS sender refused: %s retryAfter=%d", r.Reason, r.RetryAfter)
	}
	return "custom SMS sender refused: " + r.Reason
}

// Unwrap gives the cause (for the log; it never holds a code).
func (r *Refusal) Unwrap() error { return r.cause }

func refuse(reason string, cause error) *Refusal { return &Refusal{Reason: reason, cause: cause} }
