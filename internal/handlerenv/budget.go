package handlerenv

import (
	"fmt"
	"time"
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
