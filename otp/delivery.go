package otp

import (
	"fmt"
	"slices"
	"time"
)

// DeliveryState is where the worker's delivery of a challenge stands.
type DeliveryState int

// Delivery states a worker moves a challenge through. The zero value is
// DeliveryNone, so a new challenge has no delivery without saying so.
const (
	DeliveryNone            DeliveryState = iota // no worker has picked it up
	DeliverySending                              // claimed; a send may be under way
	DeliverySent                                 // a provider accepted it
	DeliveryFailedRetryable                      // released for another try
	DeliveryFailedPermanent                      // the number cannot receive it
	// DeliveryUnknown is a stored state this version does not know (a
	// newer one wrote it): never claimed, so never sent twice.
	DeliveryUnknown
)

// deliveryNames are the states' stored and logged names.
var deliveryNames = [...]string{
	DeliveryNone:            "none",
	DeliverySending:         "sending",
	DeliverySent:            "sent",
	DeliveryFailedRetryable: "failed-retryable",
	DeliveryFailedPermanent: "failed-permanent",
	DeliveryUnknown:         "unknown",
}

func (s DeliveryState) String() string {
	if s >= 0 && int(s) < len(deliveryNames) {
		return deliveryNames[s]
	}
	return fmt.Sprintf("DeliveryState(%d)", int(s))
}

// ParseDeliveryState reads a state back from its name. A name this version
// does not know is DeliveryUnknown, so what a newer version wrote is
// refused, not taken for a fresh challenge.
func ParseDeliveryState(name string) DeliveryState {
	for s, n := range deliveryNames {
		if n == name && DeliveryState(s) != DeliveryUnknown {
			return DeliveryState(s)
		}
	}
	return DeliveryUnknown
}

// Delivery is the worker's record of sending a challenge's SMS.
type Delivery struct {
	State      DeliveryState
	At         time.Time // when the state was last set (for sending: when claimed)
	Attempts   int       // send attempts so far
	Provider   string
	ProviderID string // the provider's message id
	// Via names every provider that accepted an SMS of this challenge, in
	// no order: a resend never goes through one of them again, and its
	// length is how many SMS the challenge has cost.
	Via []string
}

// Sends is how many SMS providers accepted for the challenge: Via, and the
// recorded provider when a record older than Via names one.
func (d Delivery) Sends() int { return len(d.used()) }

// Used reports whether provider already carried an SMS of the challenge.
func (d Delivery) Used(provider string) bool {
	for _, p := range d.used() {
		if p == provider {
			return true
		}
	}
	return false
}

func (d Delivery) used() []string {
	if d.State == DeliverySent && d.Provider != "" && !slices.Contains(d.Via, d.Provider) {
		return append(slices.Clone(d.Via), d.Provider)
	}
	return d.Via
}

// ClaimRefusal is why the worker may not claim c's delivery to number to
// at now, or nil when it may: a fresh challenge, a retryable failure, or a
// sending claim older than staleBefore. Both stores judge claims by it, so
// they refuse alike. Times compare at millisecond precision, as stored.
func (c Challenge) ClaimRefusal(to string, now, staleBefore time.Time) error {
	d := c.Delivery
	switch {
	case c.Decoy || to == "" || c.Phone != to:
		return ErrNotDeliverable
	case d.State == DeliverySent || d.State == DeliveryFailedPermanent:
		return ErrDelivered
	case c.Voided || c.Consumed || c.ExpiresAt.UnixMilli() <= now.UnixMilli():
		return ErrNotDeliverable
	case d.State == DeliveryNone || d.State == DeliveryFailedRetryable:
		return nil
	case d.State == DeliverySending:
		// A sending claim without a time (never written so) counts as
		// fresh, as a missing deliveryAt fails DynamoDB's comparison.
		if !d.At.IsZero() && d.At.UnixMilli() < staleBefore.UnixMilli() {
			return nil
		}
		return ErrClaimTaken
	default:
		return ErrNotDeliverable
	}
}

// ResendRefusal is why the worker may not claim c for one more SMS to
// number to, after the send prevProvider accepted as prevID, at now, or
// nil when it may: c is live and for that number, its delivery still
// stands as "sent" by that provider under that id (so a duplicate or late check, or a second
// receipt, finds it moved on), and fewer than maxSends SMS went out. Both
// stores judge resend claims by it.
func (c Challenge) ResendRefusal(to, prevProvider, prevID string, now time.Time, maxSends int) error {
	d := c.Delivery
	switch {
	case c.Decoy || to == "" || c.Phone != to:
		return ErrNotDeliverable
	case c.Voided || c.Consumed || c.ExpiresAt.UnixMilli() <= now.UnixMilli():
		return ErrNotDeliverable
	case d.State != DeliverySent || prevID == "" || d.ProviderID != prevID || d.Provider != prevProvider:
		return ErrDelivered
	case len(d.Via) >= maxSends:
		return ErrSendsSpent
	}
	return nil
}

// Outcome is how one claimed send ended: what the worker records on the
// claim. Build it with Sent, RetryableFailure, PermanentFailure or
// DeferredSend.
type Outcome struct {
	State      DeliveryState // sent, failed-retryable or failed-permanent
	Provider   string        // who sent it, or whose failure it was; may be empty
	ProviderID string        // the provider's message id; may be empty
	// Uncount gives back the attempt the claim added: the send never
	// happened (our own rate limit deferred it).
	Uncount bool
}

// Sent is a send provider accepted, under its message id.
func Sent(provider, messageID string) Outcome {
	return Outcome{State: DeliverySent, Provider: provider, ProviderID: messageID}
}

// RetryableFailure is a failed send another try may fix; provider may be
// empty (no provider's error).
func RetryableFailure(provider string) Outcome {
	return Outcome{State: DeliveryFailedRetryable, Provider: provider}
}

// PermanentFailure is a send no retry can fix; provider may be empty (the
// message failed before any provider).
func PermanentFailure(provider string) Outcome {
	return Outcome{State: DeliveryFailedPermanent, Provider: provider}
}

// DeferredSend is a send our own rate limit held back: released for another
// try without counting an attempt.
func DeferredSend() Outcome {
	return Outcome{State: DeliveryFailedRetryable, Uncount: true}
}

// Check is nil when o's state ends a claim (sent, failed-retryable or
// failed-permanent); stores refuse anything else before writing.
func (o Outcome) Check() error {
	switch o.State {
	case DeliverySent, DeliveryFailedRetryable, DeliveryFailedPermanent:
		return nil
	}
	return fmt.Errorf("%s is not an outcome", o.State)
}

// Held reports whether d is the sending claim taken at claimedAt (ms
// precision, as stored): only its holder may record an outcome.
func (d Delivery) Held(claimedAt time.Time) bool {
	return d.State == DeliverySending && d.claimedAt(claimedAt)
}

// Recorded reports whether d is o already recorded on the claim taken at
// claimedAt: a retried Record (the SDK repeating a write whose response was
// lost) finding its own earlier write, which both stores report as success.
func (d Delivery) Recorded(claimedAt time.Time, o Outcome) bool {
	return d.claimedAt(claimedAt) && d.State == o.State && d.Provider == o.Provider && d.ProviderID == o.ProviderID
}

func (d Delivery) claimedAt(t time.Time) bool {
	return !d.At.IsZero() && d.At.UnixMilli() == t.UnixMilli()
}

// With is d after recording o: the claim's time stays.
func (d Delivery) With(o Outcome) Delivery {
	d.State, d.Provider, d.ProviderID = o.State, o.Provider, o.ProviderID
	if o.State == DeliverySent && o.Provider != "" && !slices.Contains(d.Via, o.Provider) {
		d.Via = append(slices.Clone(d.Via), o.Provider)
	}
	if o.Uncount {
		d.Attempts--
	}
	return d
}
