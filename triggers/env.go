package triggers

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/define"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/verify"
)

// The triggers' variables. The configuration reference in docs/ documents
// each; the deployment template sets them.
const (
	EnvCodeLength      = verify.EnvCodeLength
	EnvCodeTTL         = "OTP_CODE_TTL"
	EnvMaxAttempts     = define.EnvMaxAttempts
	EnvResendCooldown  = "OTP_RESEND_COOLDOWN"
	EnvSessionValidity = "OTP_SESSION_VALIDITY"
	EnvAllowedCountry  = handlerenv.EnvAllowedCountries
	EnvCapPhone15m     = "OTP_CAP_PHONE_15M"
	EnvCapPhoneDay     = "OTP_CAP_PHONE_DAY"
	EnvCapCountryHour  = "OTP_CAP_COUNTRY_HOUR"
	EnvCapGlobalHour   = "OTP_CAP_GLOBAL_HOUR"
	EnvCounterShards   = "OTP_COUNTER_SHARDS"
	EnvDefaultLocale   = "OTP_DEFAULT_LOCALE"
	EnvDeadline        = handlerenv.EnvDeadline
	EnvTestNumbers     = "OTP_TEST_NUMBERS"
	EnvChannelAttr     = channel.EnvAttribute
)

// Each function's settings: what its main reads, and nothing another
// function needs. Each ...FromEnv reports every bad variable at once.
// PreSignUp's are in triggers/presignup, Define's, Verify's and
// PostAuthentication's in their packages.

// CreateSettings are CreateAuthChallenge's.
type CreateSettings struct {
	Table    string
	QueueURL string
	Secret   config.Secret
	Triggers Config
	LogLevel slog.Level
}

// CreateFromEnv reads the table, the queue, the secret, the code policy,
// send caps, the country allow-list, default locale, deadline, test
// numbers, the channel settings and OTP_LOG_LEVEL.
func CreateFromEnv(getenv func(string) string) (CreateSettings, error) {
	e := config.New(getenv)
	s := CreateSettings{
		Table:    e.Required(config.EnvTable),
		QueueURL: e.Required(config.EnvQueueURL),
		Secret:   e.Secret(),
		Triggers: ConfigFromEnv(e),
		LogLevel: e.LogLevel(),
	}
	return s, e.Err()
}

// ConfigFromEnv reads Create's trigger variables into one Config (Create's,
// and the local stack's, which runs every trigger and reads PreSignUp's
// OTP_ALLOW_VOIP beside them); problems go to e. Of the number policy it
// reads the allow-list only: Create checks a number PreSignUp judged
// (e164.Policy.Check reads no number type).
func ConfigFromEnv(e *config.Env) Config {
	def := DefaultConfig()
	c := Config{
		Policy:        policy(e, def.Policy),
		Phone:         handlerenv.AllowListFromEnv(e),
		DefaultLocale: defaultLocale(e, def.DefaultLocale),
		Deadline:      deadline(e),
		// Create names the channel of the first send; the worker decides.
		Channels:         channelPlan(e),
		ChannelAttribute: channelAttribute(e, def.ChannelAttribute),
	}
	c.TestNumbers = testNumbers(e, c)
	validate(e, c)
	return c
}

var attributeChars = charclass.New("A-Za-z0-9_:-")

// channelAttribute reads OTP_CHANNEL_ATTRIBUTE: a user attribute name such
// as custom:otp_channel, or unset (def, "": no preference is read).
func channelAttribute(e *config.Env, def string) string {
	v := e.Str(EnvChannelAttr, def)
	if v != "" && !attributeChars.Match(v, 1, 64) { // ^[A-Za-z0-9_:-]{1,64}$
		e.Fail(EnvChannelAttr, fmt.Sprintf("%.20q is not a user attribute name (e.g. custom:otp_channel)", v))
		return def
	}
	return v
}

func codeLength(e *config.Env, def int) int { return verify.CodeLengthFromEnv(e, def) }

func deadline(e *config.Env) time.Duration { return handlerenv.DeadlineFromEnv(e) }

// policy reads the code policy and the send caps.
func policy(e *config.Env, pol otp.Policy) otp.Policy {
	pol.Digits = codeLength(e, pol.Digits)
	pol.SessionValidity = e.Duration(EnvSessionValidity, pol.SessionValidity, otp.MinSessionValidity, otp.MaxSessionValidity)
	pol.TTL = e.Duration(EnvCodeTTL, pol.TTL, 30*time.Second, otp.MaxTTL)
	pol.MaxAttempts = define.MaxAttemptsFromEnv(e, pol.MaxAttempts)
	pol.ResendCooldown = e.Duration(EnvResendCooldown, pol.ResendCooldown, 0, otp.MaxTTL)
	pol.Caps = caps(e)
	// Compare only values that were both parsed: a default standing in for a
	// bad value would make the second message wrong.
	if pol.TTL > pol.SessionValidity && !e.Failed(EnvCodeTTL, EnvSessionValidity) {
		e.Fail(EnvCodeTTL, fmt.Sprintf("%s is longer than %s (%s): a code must not outlive the Cognito session", pol.TTL, EnvSessionValidity, pol.SessionValidity))
	}
	if pol.ResendCooldown > pol.TTL && !e.Failed(EnvResendCooldown, EnvCodeTTL) {
		e.Fail(EnvResendCooldown, fmt.Sprintf("%s is longer than %s (%s)", pol.ResendCooldown, EnvCodeTTL, pol.TTL))
	}
	return pol
}

// caps reads the send caps: per number, per country, for the service.
func caps(e *config.Env) []otp.Cap {
	shards := e.Int(EnvCounterShards, 10, 1, 100)
	return []otp.Cap{
		{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: e.Int(EnvCapPhone15m, 5, 0, 1000)},
		{Scope: otp.ScopePhone, Window: 24 * time.Hour, Max: e.Int(EnvCapPhoneDay, 10, 0, 10000)},
		{Scope: otp.ScopeCountry, Window: time.Hour, Max: e.Int(EnvCapCountryHour, 1000, 0, 10_000_000), Shards: shards},
		{Scope: otp.ScopeGlobal, Window: time.Hour, Max: e.Int(EnvCapGlobalHour, 10000, 0, 100_000_000), Shards: shards},
	}
}

// SendSettings are the variables every function that sends an SMS shares
// with Create, so sign-in codes and the pool's own SMS apply one policy.
type SendSettings struct {
	Caps          []otp.Cap
	Phone         e164.Policy
	DefaultLocale string
	Deadline      time.Duration
}

// SendSettingsFromEnv reads the send caps, OTP_ALLOWED_COUNTRIES,
// OTP_DEFAULT_LOCALE and OTP_DEADLINE, and nothing of
// Create's own code policy or test numbers; problems go to e.
func SendSettingsFromEnv(e *config.Env) SendSettings {
	return SendSettings{
		Caps:          caps(e),
		Phone:         handlerenv.AllowListFromEnv(e),
		DefaultLocale: defaultLocale(e, DefaultConfig().DefaultLocale),
		Deadline:      deadline(e),
	}
}

// defaultLocale is a language tag of at most schema.MaxLocaleLen characters,
// the bound Create holds a user's locale to; def when unset or bad.
func defaultLocale(e *config.Env, def string) string {
	v := e.Str(EnvDefaultLocale, def)
	if len(v) > schema.MaxLocaleLen || !schema.ValidLocale(v) {
		e.Fail(EnvDefaultLocale, fmt.Sprintf("%.20q is not a language tag (like en or pt-BR) of at most %d characters", v, schema.MaxLocaleLen))
		return def
	}
	return v
}

// testNumbers parses "+14155550100=123456,+14155550101=654321" (entries
// trimmed; empty is off) and checks it by the rule Validate applies, under
// c's phone policy and code length. Errors name numbers masked and never
// show a code.
func testNumbers(e *config.Env, c Config) map[string]string {
	v := e.Raw(EnvTestNumbers)
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
			e.Fail(EnvTestNumbers, fmt.Sprintf("entry %d is not <number>=<code>", i+1))
			return nil
		case dup:
			e.Fail(EnvTestNumbers, fmt.Sprintf("entry %d: %s is listed twice", i+1, mask.Phone(num)))
			return nil
		}
		m[num] = code
	}
	// A code length or allow-list that failed to parse would make this
	// check's message wrong; those variables are reported already.
	if e.Failed(EnvCodeLength, EnvAllowedCountry) {
		return m
	}
	c.TestNumbers = m
	if err := c.validateTestNumbers(); err != nil {
		e.Fail(EnvTestNumbers, err.Error())
		return nil
	}
	return m
}

// validate applies Validate once every variable parsed, as a last guard:
// the parsers' bounds are meant to make it pass.
func validate(e *config.Env, c Config) {
	if e.Err() != nil {
		return
	}
	if err := c.Validate(); err != nil {
		e.Fail("OTP_*", err.Error())
	}
}

// channelPlan reads the provider order by the sms-worker's own rules
// (routing.PlanFromEnv, routing.CheckEnv), so Create names the channel the
// worker's first attempt will use.
func channelPlan(e *config.Env) channel.Plan {
	p := routing.PlanFromEnv(e, false)
	routing.CheckEnv(e, p)
	if len(p.Routes) == 0 {
		p.Routes = nil
	}
	return channel.Plan{Default: p.Providers, Routes: p.Routes}
}
