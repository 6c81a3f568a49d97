package customsms

import (
	"errors"
	"fmt"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// DefaultDeliveryWindow is how long a job may wait for delivery: Cognito's
// codes live longer (a day for sign-up), but a code that arrives this late
// is one the user has already asked again for.
const DefaultDeliveryWindow = 10 * time.Minute

// MaxDeadline is the triggers' bound within Cognito's 5 s (handlerenv).
const MaxDeadline = handlerenv.MaxDeadline

// Config is what the handler needs, parsed once at start-up.
type Config struct {
	// Caps are the send caps, shared with sign-in codes: one budget per
	// number, country and service for every SMS of the pool.
	Caps           []otp.Cap
	Phone          e164.Policy
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
	if err := handlerenv.CheckDeadline(c.Deadline); err != nil {
		errs = append(errs, err)
	}
	if c.DeliveryWindow < 30*time.Second || c.DeliveryWindow > schema.MaxCognitoDeliveryWindow {
		errs = append(errs, fmt.Errorf("delivery window %s: must be 30s to %s", c.DeliveryWindow, schema.MaxCognitoDeliveryWindow))
	}
	return errors.Join(errs...)
}

// Env is what the handlers take from the outside world besides their
// dependencies; tests replace each part to be exact.
type Env = handlerenv.Env
