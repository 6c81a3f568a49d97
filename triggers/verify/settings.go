package verify

import (
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// EnvCodeLength is the code's length in digits (Create makes codes that
// long; Verify refuses answers of another shape without a MAC).
const EnvCodeLength = "OTP_CODE_LENGTH"

// Settings are the VerifyAuthChallengeResponse function's.
type Settings struct {
	Table    string
	Secret   config.Secret
	Config   Config
	LogLevel slog.Level
}

// FromEnv reads the table, the secret, OTP_CODE_LENGTH, OTP_DEADLINE and
// OTP_LOG_LEVEL, and nothing else: attempts and expiry are the challenge's
// own, written by Create. It reports every bad variable at once.
func FromEnv(getenv func(string) string) (Settings, error) {
	e := config.New(getenv)
	s := Settings{
		Table:  e.Required(config.EnvTable),
		Secret: e.Secret(),
		Config: Config{
			Digits:   CodeLengthFromEnv(e, otp.DefaultPolicy().Digits),
			Deadline: handlerenv.DeadlineFromEnv(e),
		},
		LogLevel: e.LogLevel(),
	}
	return s, e.Err()
}

// CodeLengthFromEnv reads OTP_CODE_LENGTH: otp.MinDigits to otp.MaxDigits,
// def when unset; problems go to e.
func CodeLengthFromEnv(e *config.Env, def int) int {
	return e.Int(EnvCodeLength, def, otp.MinDigits, otp.MaxDigits)
}
