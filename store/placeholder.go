package store

import (
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// Placeholder is what voiding challenge id leaves when no challenge is
// stored under it: Create gave up on a write that may still be in flight,
// and the placeholder makes that write fail on its own "create only"
// condition when it lands. It is voided, expired from the moment it was
// voided (now), and holds no number, app client or MAC, so nothing answers,
// delivers, consumes or reuses it; it goes with Retention, as every item
// does, long after any write of it could still arrive (codes live at most
// otp.MaxTTL, and a late write of one past that is dead on arrival).
func Placeholder(id string, now time.Time) otp.Challenge {
	now = now.UTC().Truncate(time.Millisecond)
	return otp.Challenge{ID: id, CreatedAt: now, ExpiresAt: now, Voided: true}
}
