package localstack

import (
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
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
	// PreSignUp is PreSignUp's number policy: Triggers' allow-list with
	// OTP_ALLOW_VOIP, which only PreSignUp reads.
	PreSignUp phone.Policy
	// Resend bounds the worker's resends when --simulate-delivery runs
	// several providers (SMS_DELIVERY_TIMEOUT, SMS_MAX_SENDS_PER_CODE,
	// SMS_RESEND_MIN_LIFE, as the sms-worker reads them).
	Resend worker.ResendConfig
	// TwilioAuthToken checks the signature of Twilio status callbacks
	// posted to /receipts/twilio; empty: that endpoint answers 404.
	TwilioAuthToken string
}

// EnvTwilioAuthToken is the auth token the local stack checks Twilio's
// callbacks with (in AWS the token comes from Secrets Manager instead).
const EnvTwilioAuthToken = "TWILIO_AUTH_TOKEN"

func settingsFromEnv(getenv func(string) string) (settings, error) {
	e := config.New(getenv)
	s := settings{
		Table:           e.Raw(config.EnvTable),
		QueueURL:        e.Raw(config.EnvQueueURL),
		Secret:          config.Secret{Spec: e.Raw(config.EnvSecret), CacheTTL: e.SecretCacheTTL()},
		Triggers:        triggers.ConfigFromEnv(e),
		Resend:          worker.ResendFromEnv(e),
		TwilioAuthToken: e.Raw(EnvTwilioAuthToken),
	}
	s.PreSignUp = presignup.WithVoIPFromEnv(e, s.Triggers.Phone)
	e.LogLevel() // refused as the functions refuse it, though --log sets the level here
	return s, e.Err()
}
