// Package config reads the functions' settings from the environment once, at
// start-up, into a typed struct. Every problem is reported together, each
// naming its variable, so a bad deployment fails at init with one clear
// message instead of at the first sign-in.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// Variable names. README.md documents each; the deployment template sets them.
const (
	EnvTable           = "OTP_TABLE_NAME"
	EnvQueueURL        = "OTP_QUEUE_URL"
	EnvSecret          = "OTP_SECRET"
	EnvSecretCacheTTL  = "OTP_SECRET_CACHE_TTL"
	EnvCodeLength      = "OTP_CODE_LENGTH"
	EnvCodeTTL         = "OTP_CODE_TTL"
	EnvMaxAttempts     = "OTP_MAX_ATTEMPTS"
	EnvResendCooldown  = "OTP_RESEND_COOLDOWN"
	EnvSessionValidity = "OTP_SESSION_VALIDITY"
	EnvAllowedCountry  = "OTP_ALLOWED_COUNTRIES"
	EnvAllowVoIP       = "OTP_ALLOW_VOIP"
	EnvCapPhone15m     = "OTP_CAP_PHONE_15M"
	EnvCapPhoneDay     = "OTP_CAP_PHONE_DAY"
	EnvCapCountryHour  = "OTP_CAP_COUNTRY_HOUR"
	EnvCapGlobalHour   = "OTP_CAP_GLOBAL_HOUR"
	EnvCounterShards   = "OTP_COUNTER_SHARDS"
	EnvDefaultLocale   = "OTP_DEFAULT_LOCALE"
	EnvDeadline        = "OTP_DEADLINE"
	EnvLogLevel        = "OTP_LOG_LEVEL"
	EnvTestNumbers     = "OTP_TEST_NUMBERS"
)

// Config is every setting of every function; each main checks it has the
// ones it needs with Require.
type Config struct {
	Table          string
	QueueURL       string
	Secret         string // spec: secretsmanager:<id>, ssm:<name> or plain:<value> (local only)
	SecretCacheTTL time.Duration
	Triggers       triggers.Config
	LogLevel       slog.Level
}

// FromEnv parses the settings; getenv is os.Getenv outside tests.
func FromEnv(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	def := triggers.DefaultConfig()
	pol := def.Policy
	cfg := Config{
		Table:          strings.TrimSpace(getenv(EnvTable)),
		QueueURL:       strings.TrimSpace(getenv(EnvQueueURL)),
		Secret:         strings.TrimSpace(getenv(EnvSecret)),
		SecretCacheTTL: p.duration(EnvSecretCacheTTL, 5*time.Minute, time.Second, 5*time.Minute),
	}
	pol.Digits = p.integer(EnvCodeLength, pol.Digits, otp.MinDigits, otp.MaxDigits)
	pol.SessionValidity = p.duration(EnvSessionValidity, pol.SessionValidity, otp.MinSessionValidity, otp.MaxSessionValidity)
	pol.TTL = p.duration(EnvCodeTTL, pol.TTL, 30*time.Second, otp.MaxTTL)
	pol.MaxAttempts = p.integer(EnvMaxAttempts, pol.MaxAttempts, 1, otp.MaxAttemptsLimit)
	pol.ResendCooldown = p.duration(EnvResendCooldown, pol.ResendCooldown, 0, otp.MaxTTL)
	shards := p.integer(EnvCounterShards, 10, 1, 100)
	pol.Caps = []otp.Cap{
		{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: p.integer(EnvCapPhone15m, 5, 0, 1000)},
		{Scope: otp.ScopePhone, Window: 24 * time.Hour, Max: p.integer(EnvCapPhoneDay, 10, 0, 10000)},
		{Scope: otp.ScopeCountry, Window: time.Hour, Max: p.integer(EnvCapCountryHour, 1000, 0, 10_000_000), Shards: shards},
		{Scope: otp.ScopeGlobal, Window: time.Hour, Max: p.integer(EnvCapGlobalHour, 10000, 0, 100_000_000), Shards: shards},
	}
	// Compare only values that were both parsed: a default standing in for a
	// bad value would make the second message wrong.
	if pol.TTL > pol.SessionValidity && !p.failed(EnvCodeTTL, EnvSessionValidity) {
		p.fail(EnvCodeTTL, fmt.Sprintf("%s is longer than %s (%s): a code must not outlive the Cognito session", pol.TTL, EnvSessionValidity, pol.SessionValidity))
	}
	if pol.ResendCooldown > pol.TTL && !p.failed(EnvResendCooldown, EnvCodeTTL) {
		p.fail(EnvResendCooldown, fmt.Sprintf("%s is longer than %s (%s)", pol.ResendCooldown, EnvCodeTTL, pol.TTL))
	}
	countries, err := phone.ParseCountryList(getenv(EnvAllowedCountry))
	if err != nil {
		p.fail(EnvAllowedCountry, err.Error())
	}
	cfg.Triggers = triggers.Config{
		Policy:        pol,
		Phone:         phone.Policy{AllowedCountries: countries, AllowVoIP: p.boolean(EnvAllowVoIP)},
		DefaultLocale: p.locale(EnvDefaultLocale, def),
		Deadline:      p.duration(EnvDeadline, def.Deadline, 500*time.Millisecond, triggers.MaxDeadline),
	}
	cfg.Triggers.TestNumbers = p.testNumbers(EnvTestNumbers, cfg.Triggers)
	if err := cfg.LogLevel.UnmarshalText([]byte(p.str(EnvLogLevel, "INFO"))); err != nil {
		p.fail(EnvLogLevel, "must be DEBUG, INFO, WARN or ERROR")
	}
	if len(p.errs) == 0 {
		if err := cfg.Triggers.Validate(); err != nil {
			p.errs = append(p.errs, err)
		}
	}
	return cfg, errors.Join(p.errs...)
}

// Require reports each named variable whose value is empty.
func (c Config) Require(names ...string) error {
	vals := map[string]string{EnvTable: c.Table, EnvQueueURL: c.QueueURL, EnvSecret: c.Secret}
	var errs []error
	for _, n := range names {
		if vals[n] == "" {
			errs = append(errs, fmt.Errorf("%s: required", n))
		}
	}
	return errors.Join(errs...)
}

type parser struct {
	getenv func(string) string
	errs   []error
	bad    map[string]bool // names of variables reported by fail
}

// fail records why the variable name is wrong. why must never hold more than
// 20 characters of the value.
func (p *parser) fail(name, why string) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", name, why))
	if p.bad == nil {
		p.bad = map[string]bool{}
	}
	p.bad[name] = true
}

// failed reports whether any of names has been reported by fail.
func (p *parser) failed(names ...string) bool {
	for _, n := range names {
		if p.bad[n] {
			return true
		}
	}
	return false
}

// maxLocaleLen is the longest locale the triggers take from a user (see
// triggers/create.go); the default is held to the same bound.
const maxLocaleLen = schema.MaxLocaleLen

// locale returns the variable name as a language tag, checked by the same
// rule triggers.Config.Validate applies, or def.DefaultLocale when unset or bad.
func (p *parser) locale(name string, def triggers.Config) string {
	v := p.str(name, def.DefaultLocale)
	probe := def
	probe.DefaultLocale = v
	if len(v) > maxLocaleLen || probe.Validate() != nil {
		p.fail(name, fmt.Sprintf("%.20q is not a language tag (like en or pt-BR) of at most %d characters", v, maxLocaleLen))
		return def.DefaultLocale
	}
	return v
}

// testNumbers parses "+14155550100=123456,+14155550101=654321" (entries
// trimmed; empty is off) and checks it by the rule triggers.Config.Validate
// applies, under the parsed phone policy and code length. Errors name
// numbers masked and never show a code.
func (p *parser) testNumbers(name string, cfg triggers.Config) map[string]string {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return nil
	}
	m := map[string]string{}
	for i, entry := range strings.Split(v, ",") {
		num, code, ok := strings.Cut(entry, "=")
		num, code = strings.TrimSpace(num), strings.TrimSpace(code)
		_, dup := m[num]
		switch {
		case !ok || num == "":
			p.fail(name, fmt.Sprintf("entry %d is not <number>=<code>", i+1))
			return nil
		case dup:
			p.fail(name, fmt.Sprintf("entry %d: %s is listed twice", i+1, phone.Mask(num)))
			return nil
		}
		m[num] = code
	}
	// A code length or phone policy that failed to parse would make this
	// check's message wrong; those variables are reported already.
	if p.failed(EnvCodeLength, EnvAllowedCountry, EnvAllowVoIP) {
		return m
	}
	// Probe with the defaults but for what the check reads, so any error is
	// this variable's.
	probe := triggers.DefaultConfig()
	probe.Phone, probe.Policy.Digits, probe.TestNumbers = cfg.Phone, cfg.Policy.Digits, m
	if err := probe.Validate(); err != nil {
		p.fail(name, err.Error())
		return nil
	}
	return m
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) integer(name string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(name, fmt.Sprintf("%.20q is not a whole number from %d to %d", v, lo, hi))
		return def
	}
	return n
}

func (p *parser) duration(name string, def, lo, hi time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		p.fail(name, fmt.Sprintf("%.20q is not a duration (like 30s or 3m) from %s to %s", v, lo, hi))
		return def
	}
	return d
}

func (p *parser) boolean(name string) bool {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, fmt.Sprintf("%.20q is not true or false", v))
	}
	return b
}
