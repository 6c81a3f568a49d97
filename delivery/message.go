package delivery

import (
	"errors"
	"fmt"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// ErrUnknownMessage: no sent message is recorded under the receipt's
// provider and id (never ours, or older than its retention).
var ErrUnknownMessage = errors.New("no message recorded under that provider and id")

// Message is one SMS a provider accepted, as the worker recorded it, and
// where its receipts have taken it. Only what we sent is trusted: the
// country is the one we sent to, whatever a receipt claims.
type Message struct {
	Provider    string
	ID          string // the provider's message id
	ChallengeID string
	Country     string // ISO 3166 alpha-2 of the number we sent to, or ""
	SentAt      time.Time
	Status      Status
	StatusAt    time.Time // when a receipt last moved Status; zero while Sent
	ErrorCode   string    // the final failure's code (Twilio 30007, SNS reason); "" otherwise
}

// Receipt is what a provider reports about one of its messages.
type Receipt struct {
	Provider  string
	MessageID string
	Status    Status
	ErrorCode string    // for Undelivered and Failed; see CleanCode
	At        time.Time // when it happened, as well as the receipt tells
}

// MaxIDLength bounds a provider message id (Twilio's are 34 characters,
// SNS's 36), so a receipt can't make an oversized key.
const MaxIDLength = 128

// Check reports what makes m unfit to record.
func (m Message) Check() error {
	var errs []error
	if m.Provider == "" || m.ID == "" || m.ChallengeID == "" {
		errs = append(errs, errors.New("provider, id and challenge id are required"))
	}
	if len(m.ID) > MaxIDLength {
		errs = append(errs, fmt.Errorf("message id longer than %d bytes", MaxIDLength))
	}
	if m.Status != Sent {
		errs = append(errs, fmt.Errorf("a message is recorded as sent, not %s", m.Status))
	}
	if m.SentAt.IsZero() {
		errs = append(errs, errors.New("sent time required"))
	}
	return errors.Join(errs...)
}

// Check reports what makes r unfit to apply.
func (r Receipt) Check() error {
	switch {
	case r.Provider == "" || r.MessageID == "":
		return errors.New("receipt without provider or message id")
	case len(r.MessageID) > MaxIDLength:
		return fmt.Errorf("receipt message id longer than %d bytes", MaxIDLength)
	case !r.Status.Valid():
		return fmt.Errorf("receipt status %s", r.Status)
	case r.At.IsZero():
		return errors.New("receipt without a time")
	}
	return nil
}

// Advance is m after receipt r, and whether r moves it: states only move
// forward, and a final state never changes. So a late "sent" after
// "delivered", a duplicate, or an "undelivered" after "delivered" change
// nothing. Both stores apply receipts by this rule.
func (m Message) Advance(r Receipt) (Message, bool) {
	if m.Status.Final() || r.Status.rank() <= m.Status.rank() {
		return m, false
	}
	m.Status, m.StatusAt = r.Status, r.At
	if r.Status == Undelivered || r.Status == Failed {
		m.ErrorCode = CleanCode(r.ErrorCode)
	}
	return m, true
}

// TimeToDelivered is how long the message took from accepted to delivered
// (0 when not delivered, or when the receipt's clock is behind ours).
func (m Message) TimeToDelivered() time.Duration {
	if m.Status != Delivered || !m.StatusAt.After(m.SentAt) {
		return 0
	}
	return m.StatusAt.Sub(m.SentAt)
}

var codeChars = charclass.New("A-Za-z0-9-")

// OtherCode stands for an error code that is missing or not a short token:
// receipts are input from outside, and codes become attribute names and
// metric dimensions.
const OtherCode = "other"

// CleanCode is code when it is a short token of letters, digits and '-',
// else OtherCode.
func CleanCode(code string) string {
	if codeChars.Match(code, 1, 24) { // ^[A-Za-z0-9-]{1,24}$
		return code
	}
	return OtherCode
}

// Applied is what applying a receipt did: the message before and after it,
// and whether it moved (false for a late, duplicate or out-of-order one).
type Applied struct {
	Before, After Message
	Changed       bool
}
