package handlerenv

import (
	"fmt"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
)

// VoidBudget bounds the write that voids what a handler stored (a
// challenge, a delivery record) after a later step failed: a fresh, short
// budget, as the request's may be what ran out.
const VoidBudget = 500 * time.Millisecond

// MaxDeadline leaves, within the 5 s Cognito waits for a trigger, the
// budget a failed handler spends voiding what it stored (VoidBudget).
const MaxDeadline = 5*time.Second - VoidBudget

// CheckDeadline checks a handler's budget for its AWS calls.
func CheckDeadline(d time.Duration) error {
	if d <= 0 || d > MaxDeadline {
		return fmt.Errorf("deadline %s: must be above 0 and at most %s", d, MaxDeadline)
	}
	return nil
}

// DefaultDeadline is the budget for every AWS call of one trigger
// invocation: under Cognito's 5 s, leaving room for the runtime.
const DefaultDeadline = 4 * time.Second

// EnvDeadline sets the triggers' budget for their AWS calls.
const EnvDeadline = "OTP_DEADLINE"

// DeadlineFromEnv reads OTP_DEADLINE: 500 ms to MaxDeadline,
// DefaultDeadline when unset; problems go to e.
func DeadlineFromEnv(e *config.Env) time.Duration {
	return e.Duration(EnvDeadline, DefaultDeadline, 500*time.Millisecond, MaxDeadline)
}
