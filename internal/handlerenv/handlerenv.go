// Package handlerenv is what the Cognito trigger handlers (package triggers
// and its subpackages, and the custom SMS sender) share: what they take
// from the outside world besides their dependencies, with the defaults
// production uses, their time budget within Cognito's 5 s, and the country
// allow-list. It links only the standard library, metrics, config and the
// plan-free phone packages (e164, country), so PreSignUp stays lean.
package handlerenv

import (
	"crypto/rand"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
)

// Env is what handlers take from the outside world; tests replace each
// part to be exact.
type Env struct {
	Now     func() time.Time
	Rand    io.Reader       // randomness for codes and ids
	Shard   func(n int) int // picks a counter shard
	Log     *slog.Logger
	Metrics metrics.Counter
}

// WithDefaults fills what is unset: the wall clock, crypto/rand, a random
// shard, a logger that discards and metrics that discard.
func (e Env) WithDefaults() Env {
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Rand == nil {
		e.Rand = rand.Reader
	}
	if e.Shard == nil {
		e.Shard = func(n int) int { return mrand.IntN(n) }
	}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	if e.Metrics == nil {
		e.Metrics = metrics.Discard{}
	}
	return e
}
