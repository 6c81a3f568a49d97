package define

import (
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// EnvMaxAttempts is answers allowed per code (Define counts them; Create
// writes the cap on each challenge, which Verify enforces).
const EnvMaxAttempts = "OTP_MAX_ATTEMPTS"

// Settings are the DefineAuthChallenge function's.
type Settings struct {
	MaxAttempts int
	LogLevel    slog.Level
}

// FromEnv reads OTP_MAX_ATTEMPTS and OTP_LOG_LEVEL, and nothing else.
func FromEnv(getenv func(string) string) (Settings, error) {
	e := config.New(getenv)
	s := Settings{MaxAttempts: MaxAttemptsFromEnv(e, otp.DefaultPolicy().MaxAttempts), LogLevel: e.LogLevel()}
	return s, e.Err()
}

// MaxAttemptsFromEnv reads OTP_MAX_ATTEMPTS: 1 to otp.MaxAttemptsLimit, def
// when unset or bad.
func MaxAttemptsFromEnv(e *config.Env, def int) int {
	return e.Int(EnvMaxAttempts, def, 1, otp.MaxAttemptsLimit)
}
