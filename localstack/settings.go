package localstack

import (
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// settings are what the local stack reads from the environment: every
// trigger's variables (it runs them all), and its backends', all optional:
// no table and queue is the embedded store and queue, no secret a random
// one per run.
type settings struct {
	Table    string
	QueueURL string
	Secret   config.Secret
	Triggers triggers.Config
}

func settingsFromEnv(getenv func(string) string) (settings, error) {
	e := config.New(getenv)
	s := settings{
		Table:    e.Raw(config.EnvTable),
		QueueURL: e.Raw(config.EnvQueueURL),
		Secret:   config.Secret{Spec: e.Raw(config.EnvSecret), CacheTTL: e.SecretCacheTTL()},
		Triggers: triggers.ConfigFromEnv(e),
	}
	e.LogLevel() // refused as the functions refuse it, though --log sets the level here
	return s, e.Err()
}
