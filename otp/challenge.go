package otp

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"time"
)

// Challenge is one issued code: only its MAC is kept, never the code.
type Challenge struct {
	ID    string
	Phone string // E.164
	// PoolPhone is the number as the user pool holds it when that is not
	// Phone's spelling: an account registered before PreSignUp required
	// canonical E.164. Empty otherwise (every account since). See
	// PointerPhone.
	PoolPhone string
	// Country is Phone's ISO 3166 alpha-2 region, as Create's numbering
	// plan found it, so that Verify reports it without parsing the number
	// again. Empty in challenges stored before it existed.
	Country     string
	ClientID    string // Cognito app client the sign-in came through
	KeyID       string // which secret's key made MAC
	MAC         []byte
	Locale      string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	Attempts    int
	MaxAttempts int
	Consumed    bool
	// ConsumedBy names the Verify invocation that consumed the challenge,
	// so a retried consume can tell its own earlier success from a rival's.
	ConsumedBy string
	// Voided challenges were abandoned by Create (the queue failed, or a
	// concurrent Create won the reuse pointer); they never verify or send.
	Voided bool
	// Decoy challenges stand in for unknown users so their sign-ins cost
	// the same writes; they never verify and are never delivered.
	Decoy bool
	// Delivery is the worker's claim on sending the challenge's SMS.
	Delivery Delivery
}

// Live reports whether the challenge can still be answered at now.
func (c Challenge) Live(now time.Time) bool {
	return !c.Consumed && !c.Voided && now.Before(c.ExpiresAt)
}

// AttemptsLeft is how many answers the challenge still accepts.
func (c Challenge) AttemptsLeft() int { return max(0, c.MaxAttempts-c.Attempts) }

// Pointer records the live challenge for a phone number and app client, so
// that a retried or repeated Create within the resend cooldown reuses it.
type Pointer struct {
	Phone       string // the number as the user pool holds it (Challenge.PointerPhone)
	ClientID    string
	ChallengeID string
	CreatedAt   time.Time // when the challenge was created: the cooldown runs from here
	ExpiresAt   time.Time // the challenge's expiry
}

// PointerClaim is the condition under which a new challenge may take the
// reuse pointer: none exists, it still names PrevID (what the caller read,
// "" for none), or it was created at or before StaleBefore (its cooldown
// is over). Otherwise a concurrent Create holds it.
type PointerClaim struct {
	PrevID      string
	StaleBefore time.Time
}

// PointerFor is the reuse pointer naming c.
func PointerFor(c Challenge) Pointer {
	return Pointer{Phone: c.PointerPhone(), ClientID: c.ClientID, ChallengeID: c.ID, CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt}
}

// PointerPhone is the number c's reuse pointer is keyed by: the number as
// the user pool holds it, so that PostAuthentication, which sees only the
// pool's spelling, finds the proof without a numbering plan.
func (c Challenge) PointerPhone() string {
	if c.PoolPhone != "" {
		return c.PoolPhone
	}
	return c.Phone
}

// IsID reports whether s is shaped like an id NewID makes: 32 lower-case
// hex digits.
func IsID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// NewID returns a random 128-bit identifier in hex.
func NewID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// Errors stores return; callers branch on them with errors.Is.
var (
	// ErrNotFound: no such challenge or pointer.
	ErrNotFound = errors.New("not found")
	// ErrNotAnswerable: the attempt was not counted because the challenge is
	// missing, expired, consumed, voided or out of attempts.
	ErrNotAnswerable = errors.New("challenge cannot be answered")
	// ErrAlreadyConsumed: a concurrent correct answer consumed it first.
	ErrAlreadyConsumed = errors.New("challenge already consumed")
	// ErrPointerTaken: another Create holds the reuse pointer.
	ErrPointerTaken = errors.New("reuse pointer taken by another challenge")
	// ErrExists: an item with that id is already stored.
	ErrExists = errors.New("already exists")
)

// Errors of the worker's delivery claim; callers branch on them.
var (
	// ErrClaimTaken: another worker holds a fresh claim on the challenge.
	ErrClaimTaken = errors.New("delivery claimed by another worker")
	// ErrDelivered: the challenge was already sent, or failed for good.
	ErrDelivered = errors.New("challenge already delivered")
	// ErrNotDeliverable: missing, voided, consumed, a decoy, expired, or the
	// message's destination is not the challenge's number.
	ErrNotDeliverable = errors.New("challenge not deliverable")
	// ErrSendsSpent: the challenge has had as many SMS as a code may cost.
	ErrSendsSpent = errors.New("challenge has had its SMS")
	// ErrClaimLost: the claim was retaken (it had gone stale) before this
	// worker recorded its outcome.
	ErrClaimLost = errors.New("delivery claim lost")
)
