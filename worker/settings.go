package worker

import (
	"log/slog"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
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
	EnvDeliveryTimeout = "SMS_DELIVERY_TIMEOUT"
	EnvMaxSends        = "SMS_MAX_SENDS_PER_CODE"
	EnvResendMinLife   = "SMS_RESEND_MIN_LIFE"
	// EnvRatePrefix + provider name (SMS_RATE_SNS, SMS_RATE_TWILIO): messages
	// per second per sender of that provider, in each worker instance.
	EnvRatePrefix = "SMS_RATE_"
	// EnvTemplatePrefix + locale (SMS_TEMPLATE_EN, SMS_TEMPLATE_PT_BR):
	// a text/template replacing the built-in text for that locale; + the
	// kind of a Cognito SMS + locale (SMS_TEMPLATE_SIGNUP_EN,
	// SMS_TEMPLATE_FORGOTPASSWORD_PT_BR): that kind's text.
	EnvTemplatePrefix = "SMS_TEMPLATE_"
)

// KnownProviders are the names SMS_PROVIDERS and SMS_ROUTES accept.
var KnownProviders = routing.KnownProviders

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
	// CognitoTemplates are the Custom SMS Sender kinds' texts: kind
	// (schema.Kind*) -> locale -> template text.
	CognitoTemplates map[string]map[string]string
	Prices           string // raw; parsed by ParsePrices
	ConsoleOutbox    string
	Delivery         delivery.Config // windows of the sent-message tallies
	Routing          routing.Settings
	Resend           ResendConfig // MaxSends 1: no resends
}

// Plan is the environment's routing plan (SMS_PROVIDERS, SMS_ROUTES,
// SMS_RATE_*), which the SSM parameter may override.
func (s Settings) Plan() routing.Plan {
	return routing.Plan{Providers: s.Providers, Routes: s.Routes, Rates: s.Rates}
}

// SettingsFromEnv parses the worker function's settings, reporting every bad
// variable at once. environ lists "KEY=value" pairs (os.Environ()), for the
// prefixed variables.
func SettingsFromEnv(getenv func(string) string, environ []string) (Settings, error) {
	e := config.New(getenv)
	plan := routing.PlanFromEnv(e, true)
	s := Settings{
		Table:           e.Required(config.EnvTable),
		QueueURL:        e.Required(config.EnvQueueURL),
		DLQURL:          e.Required(EnvDLQURL),
		Secret:          e.Secret(),
		LogLevel:        e.LogLevel(),
		Config:          configFromEnv(e),
		Providers:       plan.Providers,
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
		Routing:         routing.SettingsFromEnv(e),
		Resend:          ResendFromEnv(e),
	}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, EnvRatePrefix) && k != EnvRateMaxWait:
			// The plan's Check below judges the name.
			name := strings.ToLower(strings.TrimPrefix(k, EnvRatePrefix))
			s.Rates[name] = e.Float(k, v, DefaultRate, routing.MinRate, routing.MaxRate)
		case strings.HasPrefix(k, EnvTemplatePrefix):
			rest := strings.TrimPrefix(k, EnvTemplatePrefix)
			if kind, locale, ok := cognitoTemplateKey(rest); ok {
				if locale == "" {
					e.Fail(k, "names a Cognito SMS kind but no locale: want "+EnvTemplatePrefix+"<KIND>_<LOCALE>, e.g. "+EnvTemplatePrefix+"SIGNUP_EN")
					continue
				}
				if s.CognitoTemplates == nil {
					s.CognitoTemplates = map[string]map[string]string{}
				}
				if s.CognitoTemplates[kind] == nil {
					s.CognitoTemplates[kind] = map[string]string{}
				}
				s.CognitoTemplates[kind][locale] = v
				continue
			}
			s.Templates[normLocale(strings.ReplaceAll(rest, "_", "-"))] = v
		}
	}
	for _, name := range KnownProviders {
		if _, ok := s.Rates[name]; !ok {
			s.Rates[name] = DefaultRate
		}
	}
	// The same rules as the SSM parameter's (routing.Plan.Check).
	routing.CheckEnv(e, s.Plan())
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

// ResendFromEnv reads the resend bounds (SMS_DELIVERY_TIMEOUT,
// SMS_MAX_SENDS_PER_CODE, SMS_RESEND_MIN_LIFE) over DefaultResendConfig,
// within ResendConfig.Validate's bounds; the local stack reads them too.
func ResendFromEnv(e *config.Env) ResendConfig {
	def := DefaultResendConfig()
	return ResendConfig{
		Timeout:  e.Duration(EnvDeliveryTimeout, def.Timeout, time.Second, MaxBackoff),
		MaxSends: e.Int(EnvMaxSends, def.MaxSends, 1, MaxSendsPerCode),
		MinLife:  e.Duration(EnvResendMinLife, def.MinLife, 0, MaxResendLife),
	}
}

// normLocale: "PT-BR" -> "pt-BR", "EN" -> "en".
func normLocale(s string) string {
	lang, region, ok := strings.Cut(s, "-")
	if !ok {
		return strings.ToLower(s)
	}
	return strings.ToLower(lang) + "-" + strings.ToUpper(region)
}

// cognitoTemplateKey reads <KIND>_<LOCALE> (SIGNUP_EN, FORGOTPASSWORD_PT_BR)
// after the template prefix. No kind is 2 or 3 letters, so none reads as
// a language subtag.
func cognitoTemplateKey(rest string) (kind, locale string, ok bool) {
	head, tail, _ := strings.Cut(rest, "_")
	for _, k := range schema.CognitoKinds {
		if strings.EqualFold(head, k) {
			return k, normLocale(strings.ReplaceAll(tail, "_", "-")), true
		}
	}
	return "", "", false
}
