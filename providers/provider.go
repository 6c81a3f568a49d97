package providers

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Message is one SMS to send.
type Message struct {
	ID        string    // our message id (queue message v1), for logs and idempotency keys
	To        string    // E.164
	Country   string    // ISO 3166 alpha-2 of To, for routing, metrics and prices
	Body      string    // the full text; it holds the code, so never log it
	ExpiresAt time.Time // when the code dies; providers that can drop stale messages use it

	// Code is the one-time code alone, for a channel that sends a template
	// with the code as its variable (WhatsApp) instead of Body; "" when the
	// message is not a code (a temporary password), which such a channel
	// refuses. Never log it.
	Code string
	// Locale is the language tag of Body (en, pt-BR), for a channel that
	// picks a template per language.
	Locale string
	// Prefer is the channel the user prefers (channel.SMS or
	// channel.WhatsApp), or "": a Chain tries the providers of that channel
	// first where the route allows them.
	Prefer string
}

// Receipt is a provider's acknowledgement of a send.
type Receipt struct {
	Provider  string // Provider.Name()
	MessageID string // the provider's id for the message
}

// Provider sends one SMS. Errors are *Error (use Classify for others).
type Provider interface {
	Name() string
	Send(ctx context.Context, m Message) (Receipt, error)
}

// Kind says what a failed send means for what to do next.
type Kind int

const (
	_ Kind = iota // the zero Kind is not a classification
	// Transient: throttled, 5xx, timeout. Try the next provider, or the same
	// one later (back to the queue with backoff).
	Transient
	// ProviderSide: the provider refuses us, not the number (bad credentials,
	// region or sender not enabled, spend limit). Try the next provider and
	// raise an alarm: retrying the same one will not help.
	ProviderSide
	// Permanent: the number cannot receive (invalid, opted out, unreachable,
	// a landline). No retry, no other provider.
	Permanent
	// Deferred: our own send rate limit is reached. Not a failure: hand the
	// message back to the queue after RetryAfter without counting an attempt,
	// and do not fail over (that would move the load, not shed it).
	Deferred
	// NotOnChannel: the number cannot receive on this provider's channel
	// (not a WhatsApp user), but another channel may reach it. Fail over;
	// the provider itself works, so its breaker counts it as a success. A
	// chain whose every provider says so fails as Permanent.
	NotOnChannel
)

func (k Kind) String() string {
	switch k {
	case Transient:
		return "transient"
	case ProviderSide:
		return "provider-side"
	case Permanent:
		return "permanent"
	case Deferred:
		return "deferred"
	case NotOnChannel:
		return "not-on-channel"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a failed send, classified.
type Error struct {
	Provider   string
	Code       string        // the provider's own code, e.g. "21211" or "InvalidParameter"
	Kind       Kind          //
	RetryAfter time.Duration // for Deferred (and throttling when the provider says)
	Err        error         // the underlying error; must not hold the number or the text
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s failure", e.Provider, e.Kind)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Classify returns err's Kind; an error no provider classified (a bug, a
// cancelled context) is Transient, so the message is retried, not lost.
func Classify(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) && pe.Kind != 0 {
		return pe.Kind
	}
	return Transient
}
