package routing

import (
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
)

// The variables SettingsFromEnv reads (the sms-worker function's).
const (
	EnvWindow       = "SMS_ROUTING_WINDOW"
	EnvRefresh      = "SMS_ROUTING_REFRESH"
	EnvMinSamples   = "SMS_ROUTING_MIN_SAMPLES"
	EnvExplore      = "SMS_ROUTING_EXPLORE"
	EnvParameter    = "SMS_ROUTING_PARAMETER"
	EnvParameterTTL = "SMS_ROUTING_PARAMETER_TTL"
)

// Settings are the router's and the overrides' settings.
type Settings struct {
	Config       Config
	Parameter    string // SSM parameter name or ARN; "" for none
	ParameterTTL time.Duration
}

// reParameter is an SSM parameter name (letters, digits, _ . - /) or its ARN.
// Compiled on first use: a function that sets no parameter does not pay
// for it at init.
var reParameter = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter)?[A-Za-z0-9_./-]+$`)
})

// SettingsFromEnv reads the routing variables into DefaultConfig; problems
// are collected in e, each naming its variable.
func SettingsFromEnv(e *config.Env) Settings {
	c := DefaultConfig()
	c.Window = e.Duration(EnvWindow, c.Window, MinWindow, MaxWindow)
	c.Refresh = e.Duration(EnvRefresh, c.Refresh, MinRefresh, MaxRefresh)
	c.MinSamples = e.Int(EnvMinSamples, c.MinSamples, MinMinSamples, MaxMinSamples)
	if v := e.Raw(EnvExplore); v != "" {
		c.Explore = e.Float(EnvExplore, v, c.Explore, 0, MaxExplore)
	}
	s := Settings{Config: c, Parameter: e.Raw(EnvParameter), ParameterTTL: e.Duration(EnvParameterTTL, DefaultParameterTTL, MinParameterTTL, MaxParameterTTL)}
	if s.Parameter != "" && (len(s.Parameter) > 2048 || !reParameter().MatchString(s.Parameter)) {
		e.Fail(EnvParameter, "is not an SSM parameter name (letters, digits, _ . - /) or ARN")
	}
	return s
}

// EnvField maps a Problem's Field to the variable that set it:
// providers to SMS_PROVIDERS, routes to SMS_ROUTES, rates.<name> to
// SMS_RATE_<NAME>.
func EnvField(field string) string {
	switch {
	case field == "providers":
		return "SMS_PROVIDERS"
	case field == "routes" || strings.HasPrefix(field, "routes."):
		return "SMS_ROUTES"
	case strings.HasPrefix(field, "rates."):
		return "SMS_RATE_" + strings.ToUpper(strings.TrimPrefix(field, "rates."))
	}
	return field
}

// PlanFromEnv reads SMS_PROVIDERS and SMS_ROUTES into a Plan; problems are
// collected in e, each naming its variable. required says whether
// SMS_PROVIDERS must be set. The sms-worker and the Create trigger (which
// names the channel of the first send) both read these variables through
// it; CheckEnv then applies the rules the SSM parameter obeys too.
func PlanFromEnv(e *config.Env, required bool) Plan {
	p := Plan{Providers: ParseList(e.Raw(channel.EnvProviders))}
	var probs []Problem
	p.Routes, probs = ParseRoutes(e.Raw(channel.EnvRoutes))
	for _, pr := range probs {
		e.Fail(channel.EnvRoutes, pr.Why)
	}
	if required && len(p.Providers) == 0 && !e.Failed(channel.EnvProviders) {
		e.Fail(channel.EnvProviders, "required: the providers in failover order, e.g. twilio,sns")
	}
	return p
}

// CheckEnv reports p's broken rules (Check, against KnownProviders) in e,
// each under the variable that set it.
func CheckEnv(e *config.Env, p Plan) {
	for _, pr := range p.Check(KnownProviders) {
		e.Fail(EnvField(pr.Field), pr.Why)
	}
}
