package triggers

import (
	"math"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
)

// The refusal codes (package refusal documents each).
const (
	CodeRateLimited        = refusal.CodeRateLimited
	CodeCapReached         = refusal.CodeCapReached
	CodeCountryNotAllowed  = refusal.CodeCountryNotAllowed
	CodeNumberNotAllowed   = refusal.CodeNumberNotAllowed
	CodeAttemptsExhausted  = refusal.CodeAttemptsExhausted
	CodeUnavailable        = refusal.CodeUnavailable
	CodeBadRequest         = refusal.CodeBadRequest
	CodeNumberNotCanonical = refusal.CodeNumberNotCanonical
)

// Refusal is the error a trigger returns to refuse a request (package
// refusal).
type Refusal = refusal.Refusal

func refuse(code string) *Refusal { return refusal.New(code) }

func refuseAfter(code string, d time.Duration) *Refusal {
	return &Refusal{Code: code, RetryAfter: ceilSeconds(d)}
}

// ceilSeconds rounds up so a client that waits that long is never early;
// at least 1.
func ceilSeconds(d time.Duration) int {
	return max(1, secondsUntil(d))
}

// secondsUntil rounds d up to whole seconds; 0 when d has passed.
func secondsUntil(d time.Duration) int {
	return max(0, int(math.Ceil(d.Seconds())))
}

// phoneRefusal maps an e164.Check error to the refusal clients see.
func phoneRefusal(err error) *Refusal { return refusal.ForPhone(err) }
