package triggers

import (
	"fmt"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// DefaultDeadline is the budget for every AWS call of one trigger
// invocation: under Cognito's 5 s, leaving room for the runtime.
const DefaultDeadline = handlerenv.DefaultDeadline

// MaxDeadline leaves, within Cognito's 5 s, the budget a failed Create
// spends voiding its challenge (voidBudget).
const MaxDeadline = handlerenv.MaxDeadline

// Config is what the triggers need to know, parsed once at start-up.
type Config struct {
	Policy otp.Policy
	// Phone is the country allow-list a number PreSignUp judged is checked
	// against (e164.Policy.Check); the number type (AllowVoIP) is
	// PreSignUp's alone, and Create never reads it.
	Phone         e164.Policy
	DefaultLocale string
	Deadline      time.Duration
	// TestNumbers maps fictional E.164 numbers to fixed codes, for app-store
	// review and automated tests: they never get an SMS. Empty is off, the
	// default (see testnumbers.go).
	TestNumbers map[string]string
	// Channels is the sms-worker's provider order (SMS_PROVIDERS,
	// SMS_ROUTES), for Create to name the channel of the first send; empty
	// means SMS.
	Channels channel.Plan
	// ChannelAttribute is the user attribute holding a preferred channel
	// (sms or whatsapp), honoured where the route allows it; "" (the
	// default) reads none, so every user of a country is named the same
	// channel as an unknown number is.
	ChannelAttribute string
}

// DefaultConfig is the configuration without any settings.
func DefaultConfig() Config {
	return Config{Policy: otp.DefaultPolicy(), DefaultLocale: "en", Deadline: DefaultDeadline}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if err := c.Policy.Validate(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if !schema.ValidLocale(c.DefaultLocale) {
		return fmt.Errorf("default locale %.20q is not a language tag", c.DefaultLocale)
	}
	if err := handlerenv.CheckDeadline(c.Deadline); err != nil {
		return err
	}
	return c.validateTestNumbers()
}

// Env is what the handlers take from the outside world besides their
// dependencies; tests replace each part to be exact.
type Env = handlerenv.Env
