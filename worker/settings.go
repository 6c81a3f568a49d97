package worker

import (
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

// The sms-worker function's variables. The configuration reference in docs/
// documents each.
const (
	EnvDLQURL          = "OTP_DLQ_URL"
	EnvProviders       = channel.EnvProviders
	EnvRoutes          = channel.EnvRoutes
	EnvRateMaxWait     = "SMS_RATE_MAX_WAIT"
	EnvBreakerFailures = "SMS_BREAKER_FAILURES"
	EnvBreakerCooldown = "SMS_BREAKER_COOLDOWN"
	EnvDomain          = "SMS_DOMAIN"
	EnvAppHash         = "SMS_ANDROID_APP_HASH"
	EnvPrices          = "SMS_PRICES"
	EnvConsoleOutbox   = "CONSOLE_OUTBOX"
	EnvMaxSendAttempts = "WORKER_MAX_ATTEMPTS"
	EnvClaimStale      = "WORKER_CLAIM_STALE"
	EnvBackoffBase     = "WORKER_BACKOFF_BASE"
	EnvBackoffMax      = "WORKER_BACKOFF_MAX"
	EnvSendTimeout     = "WORKER_SEND_TIMEOUT"
	EnvConcurrency     = "WORKER_CONCURRENCY"
	// EnvRatePrefix + provider name (SMS_RATE_SNS, SMS_RATE_TWILIO): messages
	// per second per sender of that provider, in each worker instance.
	EnvRatePrefix = "SMS_RATE_"
	// EnvTemplatePrefix + locale (SMS_TEMPLATE_EN, SMS_TEMPLATE_PT_BR):
	// a text/template replacing the built-in text for that locale.
	EnvTemplatePrefix = "SMS_TEMPLATE_"
)

// KnownProviders are the names SMS_PROVIDERS and SMS_ROUTES accept.
var KnownProviders = channel.Providers

// DefaultRate is the per-sender send rate without SMS_RATE_<PROVIDER>:
// what a US toll-free number allows; a US long code allows about 1.
const DefaultRate = 3

// Settings are the sms-worker function's: its queues, table and secret,
// the worker's timings, the providers and the text. Each provider's own
// settings (SNS_*, TWILIO_*) are parsed by its package.
type Settings struct {
	Table           string
	QueueURL        string
	DLQURL          string
	Secret          config.Secret
	LogLevel        slog.Level
	Config          Config              // timings and bounds
	Providers       []string            // failover order
	Routes          map[string][]string // ISO country -> order for that country
	Rates           map[string]float64  // provider -> messages per second per sender
	RateMaxWait     time.Duration
	BreakerFailures int
	BreakerCooldown time.Duration
	Domain          string
	AppHash         string
	Templates       map[string]string // locale -> template text
	Prices          string            // raw; parsed by ParsePrices
	ConsoleOutbox   string
	Delivery        delivery.Config // windows of the sent-message tallies
}

// SettingsFromEnv parses the worker function's settings, reporting every bad
// variable at once. environ lists "KEY=value" pairs (os.Environ()), for the
// prefixed variables.
func SettingsFromEnv(getenv func(string) string, environ []string) (Settings, error) {
	e := config.New(getenv)
	plan := channel.PlanFromEnv(e, true)
	s := Settings{
		Table:           e.Required(config.EnvTable),
		QueueURL:        e.Required(config.EnvQueueURL),
		DLQURL:          e.Required(EnvDLQURL),
		Secret:          e.Secret(),
		LogLevel:        e.LogLevel(),
		Config:          configFromEnv(e),
		Providers:       plan.Default,
		Routes:          plan.Routes,
		Rates:           map[string]float64{},
		RateMaxWait:     e.Duration(EnvRateMaxWait, 2*time.Second, 0, 10*time.Second),
		BreakerFailures: e.Int(EnvBreakerFailures, 5, 1, 100),
		BreakerCooldown: e.Duration(EnvBreakerCooldown, 30*time.Second, time.Second, 10*time.Minute),
		Domain:          e.Raw(EnvDomain),
		AppHash:         e.Raw(EnvAppHash),
		Templates:       map[string]string{},
		Prices:          e.Raw(EnvPrices),
		ConsoleOutbox:   e.Raw(EnvConsoleOutbox),
		Delivery:        delivery.ConfigFromEnv(e),
	}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, EnvRatePrefix) && k != EnvRateMaxWait:
			name := strings.ToLower(strings.TrimPrefix(k, EnvRatePrefix))
			if !slices.Contains(KnownProviders, name) {
				e.Fail(k, "names no provider ("+strings.Join(KnownProviders, ", ")+")")
				continue
			}
			s.Rates[name] = e.Float(k, v, DefaultRate, 0.01, 10000)
		case strings.HasPrefix(k, EnvTemplatePrefix):
			locale := strings.ReplaceAll(strings.TrimPrefix(k, EnvTemplatePrefix), "_", "-")
			s.Templates[normLocale(locale)] = v
		}
	}
	for _, name := range KnownProviders {
		if _, ok := s.Rates[name]; !ok {
			s.Rates[name] = DefaultRate
		}
	}
	return s, e.Err()
}

// configFromEnv reads the timings over DefaultConfig and checks them by
// Validate's own rules, naming the variable.
func configFromEnv(e *config.Env) Config {
	def := DefaultConfig()
	c := Config{
		MaxAttempts: e.Int(EnvMaxSendAttempts, def.MaxAttempts, 1, MaxMaxAttempts),
		ClaimStale:  e.Duration(EnvClaimStale, def.ClaimStale, time.Second, 5*time.Minute),
		BackoffBase: e.Duration(EnvBackoffBase, def.BackoffBase, 100*time.Millisecond, time.Minute),
		BackoffMax:  e.Duration(EnvBackoffMax, def.BackoffMax, 100*time.Millisecond, MaxBackoff),
		SendTimeout: e.Duration(EnvSendTimeout, def.SendTimeout, 100*time.Millisecond, time.Minute),
		Concurrency: e.Int(EnvConcurrency, def.Concurrency, 1, MaxConcurrency),
	}
	if err := c.checkBackoffMax(); err != nil && !e.Failed(EnvBackoffBase, EnvBackoffMax) {
		e.Fail(EnvBackoffMax, err.Error())
	}
	if err := c.checkClaimStale(); err != nil && !e.Failed(EnvClaimStale, EnvSendTimeout) {
		e.Fail(EnvClaimStale, err.Error())
	}
	return c
}

// normLocale: "PT-BR" -> "pt-BR", "EN" -> "en".
func normLocale(s string) string {
	lang, region, ok := strings.Cut(s, "-")
	if !ok {
		return strings.ToLower(s)
	}
	return strings.ToLower(lang) + "-" + strings.ToUpper(region)
}
