package receipts

import (
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio/callback"
)

// Settings are the sms-receipts function's. The auth token itself is read
// at start-up from AuthTokenSecret (secretsmanager:, ssm: or plain:).
type Settings struct {
	Table           string
	LogLevel        slog.Level
	Delivery        delivery.Config
	CallbackURL     string // TWILIO_STATUS_CALLBACK; empty: no Twilio callbacks
	AuthTokenSecret string // TWILIO_AUTH_TOKEN_SECRET
}

// SettingsFromEnv parses the function's settings, reporting every bad
// variable at once, each by name.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	e := config.New(getenv)
	s := Settings{
		Table:           e.Required(config.EnvTable),
		LogLevel:        e.LogLevel(),
		Delivery:        delivery.ConfigFromEnv(e),
		CallbackURL:     e.Raw(EnvCallbackURL),
		AuthTokenSecret: e.Raw(EnvAuthTokenSecret),
	}
	switch {
	case s.CallbackURL != "":
		if why := callback.Check(s.CallbackURL); why != "" {
			e.Fail(EnvCallbackURL, why)
		}
		if s.AuthTokenSecret == "" {
			e.Fail(EnvAuthTokenSecret, "required with "+EnvCallbackURL+": the auth token signs the callbacks")
		}
	case s.AuthTokenSecret != "":
		e.Fail(EnvCallbackURL, "required with "+EnvAuthTokenSecret+": the public URL Twilio calls and signs")
	}
	return s, e.Err()
}
