package presignup

import (
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
)

// The variables PreSignUp reads besides OTP_LOG_LEVEL. OTP_ALLOW_VOIP is
// its own: the number type is judged only where a number enters.
const (
	EnvAllowedCountries = handlerenv.EnvAllowedCountries
	EnvAllowVoIP        = "OTP_ALLOW_VOIP"
)

// Settings are what PreSignUp's main reads, and nothing another function
// needs.
type Settings struct {
	Phone    phone.Policy
	LogLevel slog.Level
}

// FromEnv reads the number policy and OTP_LOG_LEVEL, reporting every bad
// variable at once.
func FromEnv(getenv func(string) string) (Settings, error) {
	e := config.New(getenv)
	s := Settings{Phone: PolicyFromEnv(e), LogLevel: e.LogLevel()}
	return s, e.Err()
}

// PolicyFromEnv reads the number policy: OTP_ALLOWED_COUNTRIES and
// OTP_ALLOW_VOIP; problems go to e.
func PolicyFromEnv(e *config.Env) phone.Policy {
	return WithVoIPFromEnv(e, handlerenv.AllowListFromEnv(e))
}

// WithVoIPFromEnv is allowList, an allow-list read already (as the local
// stack reads it with the other triggers' variables), with OTP_ALLOW_VOIP;
// problems go to e.
func WithVoIPFromEnv(e *config.Env, allowList phone.Policy) phone.Policy {
	allowList.AllowVoIP = e.Bool(EnvAllowVoIP)
	return allowList
}
