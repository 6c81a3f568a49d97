package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Worker variables. README.md documents each.
const (
	EnvDLQURL          = "OTP_DLQ_URL"
	EnvProviders       = "SMS_PROVIDERS"
	EnvRoutes          = "SMS_ROUTES"
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
var KnownProviders = []string{"sns", "twilio", "console"}

// Worker is the delivery worker's configuration, beside the common Config.
type Worker struct {
	DLQURL          string
	Providers       []string            // failover order
	Routes          map[string][]string // ISO country -> order for that country
	Rates           map[string]float64  // provider -> messages per second per sender
	RateMaxWait     time.Duration
	BreakerFailures int
	BreakerCooldown time.Duration
	Domain          string
	AppHash         string
	Templates       map[string]string // locale -> template text
	Prices          string            // raw; parsed by worker.ParsePrices
	ConsoleOutbox   string
	MaxAttempts     int
	ClaimStale      time.Duration
	BackoffBase     time.Duration
	BackoffMax      time.Duration
	SendTimeout     time.Duration
	Concurrency     int
}

// DefaultRate is the per-sender send rate without SMS_RATE_<PROVIDER>:
// what a US toll-free number allows; a US long code allows about 1.
const DefaultRate = 3

var reCountry = regexp.MustCompile(`^[A-Z]{2}$`)

// WorkerFromEnv parses the worker's settings. environ lists "KEY=value"
// pairs (os.Environ()), for the prefixed variables.
func WorkerFromEnv(getenv func(string) string, environ []string) (Worker, error) {
	p := parser{getenv: getenv}
	w := Worker{
		DLQURL:          strings.TrimSpace(getenv(EnvDLQURL)),
		Providers:       p.providerList(EnvProviders, getenv(EnvProviders)),
		Routes:          map[string][]string{},
		Rates:           map[string]float64{},
		RateMaxWait:     p.duration(EnvRateMaxWait, 2*time.Second, 0, 10*time.Second),
		BreakerFailures: p.integer(EnvBreakerFailures, 5, 1, 100),
		BreakerCooldown: p.duration(EnvBreakerCooldown, 30*time.Second, time.Second, 10*time.Minute),
		Domain:          strings.TrimSpace(getenv(EnvDomain)),
		AppHash:         strings.TrimSpace(getenv(EnvAppHash)),
		Templates:       map[string]string{},
		Prices:          strings.TrimSpace(getenv(EnvPrices)),
		ConsoleOutbox:   strings.TrimSpace(getenv(EnvConsoleOutbox)),
		MaxAttempts:     p.integer(EnvMaxSendAttempts, 5, 1, 20),
		ClaimStale:      p.duration(EnvClaimStale, 30*time.Second, time.Second, 5*time.Minute),
		BackoffBase:     p.duration(EnvBackoffBase, 2*time.Second, 100*time.Millisecond, time.Minute),
		BackoffMax:      p.duration(EnvBackoffMax, 20*time.Second, 100*time.Millisecond, 15*time.Minute),
		SendTimeout:     p.duration(EnvSendTimeout, 5*time.Second, 100*time.Millisecond, time.Minute),
		Concurrency:     p.integer(EnvConcurrency, 10, 1, 100),
	}
	if len(w.Providers) == 0 && len(p.errs) == 0 {
		p.fail(EnvProviders, "required: the providers in failover order, e.g. twilio,sns")
	}
	for _, route := range strings.Split(getenv(EnvRoutes), ";") {
		route = strings.TrimSpace(route)
		if route == "" {
			continue
		}
		country, list, ok := strings.Cut(route, "=")
		country = strings.ToUpper(strings.TrimSpace(country))
		if !ok || !reCountry.MatchString(country) {
			p.fail(EnvRoutes, fmt.Sprintf("%.30q: want COUNTRY=provider,provider;...", route))
			continue
		}
		names := p.providerList(EnvRoutes, list)
		if len(names) == 0 {
			p.fail(EnvRoutes, fmt.Sprintf("%s= names no provider", country))
			continue
		}
		w.Routes[country] = names
	}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, EnvRatePrefix) && k != EnvRateMaxWait:
			name := strings.ToLower(strings.TrimPrefix(k, EnvRatePrefix))
			if !known(name) {
				p.fail(k, "names no provider (sns, twilio, console)")
				continue
			}
			w.Rates[name] = p.float(k, v, 0.01, 10000)
		case strings.HasPrefix(k, EnvTemplatePrefix):
			locale := strings.ReplaceAll(strings.TrimPrefix(k, EnvTemplatePrefix), "_", "-")
			w.Templates[normLocale(locale)] = v
		}
	}
	for _, name := range KnownProviders {
		if _, ok := w.Rates[name]; !ok {
			w.Rates[name] = DefaultRate
		}
	}
	if w.BackoffMax < w.BackoffBase {
		p.fail(EnvBackoffMax, fmt.Sprintf("%s is shorter than %s (%s)", w.BackoffMax, EnvBackoffBase, w.BackoffBase))
	}
	if w.ClaimStale <= w.SendTimeout {
		p.fail(EnvClaimStale, fmt.Sprintf("%s must exceed %s (%s), or a live send could be retaken", w.ClaimStale, EnvSendTimeout, w.SendTimeout))
	}
	return w, errors.Join(p.errs...)
}

// normLocale: "PT-BR" -> "pt-BR", "EN" -> "en".
func normLocale(s string) string {
	lang, region, ok := strings.Cut(s, "-")
	if !ok {
		return strings.ToLower(s)
	}
	return strings.ToLower(lang) + "-" + strings.ToUpper(region)
}

func known(name string) bool {
	for _, k := range KnownProviders {
		if k == name {
			return true
		}
	}
	return false
}

func (p *parser) providerList(name, v string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		if !known(s) {
			p.fail(name, fmt.Sprintf("%.20q is not a provider (sns, twilio, console)", s))
			continue
		}
		if seen[s] {
			p.fail(name, fmt.Sprintf("%s listed twice", s))
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func (p *parser) float(name, v string, lo, hi float64) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < lo || f > hi {
		p.fail(name, fmt.Sprintf("%.20q is not a number from %g to %g", v, lo, hi))
		return DefaultRate
	}
	return f
}
