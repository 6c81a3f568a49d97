package postauth

import (
	"log/slog"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
)

// Settings are the PostAuthentication function's.
type Settings struct {
	Table    string
	Deadline time.Duration
	LogLevel slog.Level
}

// FromEnv reads the table, OTP_DEADLINE and OTP_LOG_LEVEL, and nothing
// else, reporting every bad variable at once.
func FromEnv(getenv func(string) string) (Settings, error) {
	e := config.New(getenv)
	s := Settings{Table: e.Required(config.EnvTable), Deadline: handlerenv.DeadlineFromEnv(e), LogLevel: e.LogLevel()}
	return s, e.Err()
}
