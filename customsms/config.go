package customsms

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// DefaultDeliveryWindow is how long a job may wait for delivery: Cognito's
// codes live longer (a day for sign-up), but a code that arrives this late
// is one the user has already asked again for.
const DefaultDeliveryWindow = 10 * time.Minute

// MaxDeadline leaves, within Cognito's 5 s, room to void a record whose
// enqueue failed.
const MaxDeadline = 5*time.Second - voidBudget

// Config is what the handler needs, parsed once at start-up.
type Config struct {
	// Caps are the send caps, shared with sign-in codes: one budget per
	// number, country and service for every SMS of the pool.
	Caps           []otp.Cap
	Phone          phone.Policy
	DefaultLocale  string
	Deadline       time.Duration
	DeliveryWindow time.Duration
	// UserPoolID, when set, refuses events of any other pool (the KMS key
	// may be shared; the encryption context is checked either way).
	UserPoolID string
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	if !schema.ValidLocale(c.DefaultLocale) {
		errs = append(errs, fmt.Errorf("default locale %.20q is not a language tag", c.DefaultLocale))
	}
	if c.Deadline <= 0 || c.Deadline > MaxDeadline {
		errs = append(errs, fmt.Errorf("deadline %s: must be above 0 and at most %s", c.Deadline, MaxDeadline))
	}
	if c.DeliveryWindow < 30*time.Second || c.DeliveryWindow > schema.MaxCognitoDeliveryWindow {
		errs = append(errs, fmt.Errorf("delivery window %s: must be 30s to %s", c.DeliveryWindow, schema.MaxCognitoDeliveryWindow))
	}
	return errors.Join(errs...)
}

// Env is what the handler takes from the outside world; tests replace it.
type Env struct {
	Now     func() time.Time
	Rand    io.Reader       // message ids
	Shard   func(n int) int // picks a counter shard
	Log     *slog.Logger
	Metrics metrics.Counter
}

func (e Env) withDefaults() Env {
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
