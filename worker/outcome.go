package worker

import (
	"fmt"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// Action is what a driver does with a processed message.
type Action int

const (
	_ Action = iota // the zero Action is not a decision
	// Delete: done (sent, dropped as expired, duplicate, or failed for good
	// and recorded).
	Delete
	// Retry: hand it back to the queue, visible again after Delay.
	Retry
	// DeadLetter: send it to the dead-letter queue with Reason, then delete.
	DeadLetter
)

func (a Action) String() string {
	switch a {
	case Delete:
		return "delete"
	case Retry:
		return "retry"
	case DeadLetter:
		return "dead-letter"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Outcome is the decision about one message.
type Outcome struct {
	Action Action
	Delay  time.Duration // Retry only
	Reason string        // why: a short code for logs, metrics and DLQ attributes
	Detail string        // more, for the DLQ; never a number, a code or message text
	// Then, when set, is a new message the driver puts on the queue
	// whatever the Action: a delivery check after a send.
	Then *FollowUp
	// receipt is the provider's, when the message was sent.
	receipt providers.Receipt
}

// FollowUp is a message to enqueue after a delay.
type FollowUp struct {
	Body  []byte // holds the job's sealed code, never an open one
	After time.Duration
}

// Reasons (Outcome.Reason).
const (
	ReasonSent            = "sent"
	ReasonExpired         = "expired"
	ReasonDuplicate       = "duplicate"
	ReasonNotDeliverable  = "not-deliverable"
	ReasonClaimBusy       = "claim-busy"
	ReasonStoreError      = "store-error"
	ReasonMalformed       = "malformed"
	ReasonUnsupported     = "unsupported-version"
	ReasonUnseal          = "unseal-failed"
	ReasonRender          = "render-failed"
	ReasonPermanent       = "permanent"
	ReasonDeferred        = "deferred"
	ReasonTransient       = "transient"
	ReasonAttemptsSpent   = "attempts-exhausted"
	ReasonKeysUnavailable = "keys-unavailable"
	ReasonPanic           = "panic"
	// A delivery check's outcomes (see Resend).
	ReasonResent     = "resent"
	ReasonDelivered  = "delivered"
	ReasonNoRoute    = "no-route-helps"
	ReasonNoProvider = "no-provider-left"
	ReasonSendsSpent = "sends-spent"
	ReasonResendOff  = "resend-off"
	ReasonTooLate    = "too-late"
)
