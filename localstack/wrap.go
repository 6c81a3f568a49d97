package localstack

import (
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// Store is what the triggers and the worker need of the challenge store.
type Store interface {
	triggers.Store
	worker.Claims
	worker.ResendClaims
}

// Wrappers put something between the stack and its parts: cmd/otp-soak
// injects store, queue and provider faults through them. A nil field wraps
// nothing.
type Wrappers struct {
	Store    func(Store) Store
	Queue    func(triggers.Queue) triggers.Queue
	Provider func(providers.Provider) providers.Provider
	// Delivered wraps, with simulated delivery (Options.Simulate), the
	// console the carrier prints each delivered SMS on: what reaches the
	// phone, where Provider sees every send, dropped ones too.
	Delivered func(providers.Provider) providers.Provider
}

func (w Wrappers) apply(b *backends) {
	if w.Store != nil {
		b.store = w.Store(b.store)
	}
	if w.Queue != nil {
		b.queue = splitQueue{signIn: w.Queue(b.queue), cognito: b.queue}
	}
}

func (w Wrappers) delivered(p providers.Provider) providers.Provider {
	if w.Delivered != nil {
		return w.Delivered(p)
	}
	return p
}

func (w Wrappers) provider(p providers.Provider) providers.Provider {
	if w.Provider != nil {
		return w.Provider(p)
	}
	return p
}
