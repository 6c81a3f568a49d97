package channel

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
)

// Variables Plan is read from; the sms-worker and the Create trigger both
// read them and must be given the same values.
const (
	EnvProviders = "SMS_PROVIDERS"
	EnvRoutes    = "SMS_ROUTES"
	// EnvAttribute names the user attribute that holds a user's preferred
	// channel (sms or whatsapp); default DefaultAttribute.
	EnvAttribute = "OTP_CHANNEL_ATTRIBUTE"
)

// DefaultAttribute is the user attribute read for a preferred channel: a
// custom attribute, so the app may let the user write it.
const DefaultAttribute = "custom:otp_channel"

// Plan is the configured provider order: Default for every country, or
// Routes[country] for a country that has a route (it replaces Default).
type Plan struct {
	Default []string
	Routes  map[string][]string // upper-case ISO 3166 alpha-2 -> providers
}

// Order is the provider order for country, best first, without any user's
// preference. The slice is the plan's own: do not change it.
func (p Plan) Order(country string) []string {
	if r, ok := p.Routes[strings.ToUpper(country)]; ok {
		return r
	}
	return p.Default
}

// For is the order for country with prefer (a channel, or "") applied
// where the order allows it.
func (p Plan) For(country, prefer string) []string {
	return Prefer(p.Order(country), prefer)
}

// First is the channel the first attempt for country will use, given the
// user's preference: SMS when the plan is empty. Later attempts (failover,
// retries) may use another channel the order allows.
func (p Plan) First(country, prefer string) string {
	list := p.For(country, prefer)
	if len(list) == 0 {
		return SMS
	}
	return Of(list[0])
}

var reCountry = regexp.MustCompile(`^[A-Z]{2}$`)

// PlanFromEnv reads SMS_PROVIDERS and SMS_ROUTES (COUNTRY=provider,...;...)
// into e, reporting each bad value under its variable. required says
// whether SMS_PROVIDERS must be set.
func PlanFromEnv(e *config.Env, required bool) Plan {
	p := Plan{Default: list(e, EnvProviders, e.Raw(EnvProviders)), Routes: routes(e, e.Raw(EnvRoutes))}
	if required && len(p.Default) == 0 && !e.Failed(EnvProviders) {
		e.Fail(EnvProviders, "required: the providers in failover order, e.g. twilio,sns")
	}
	return p
}

func routes(e *config.Env, v string) map[string][]string {
	var out map[string][]string
	for _, route := range strings.Split(v, ";") {
		route = strings.TrimSpace(route)
		if route == "" {
			continue
		}
		country, names, ok := strings.Cut(route, "=")
		country = strings.ToUpper(strings.TrimSpace(country))
		if !ok || !reCountry.MatchString(country) {
			e.Fail(EnvRoutes, fmt.Sprintf("%.20q: want COUNTRY=provider,provider;...", route))
			continue
		}
		l := list(e, EnvRoutes, names)
		if len(l) == 0 {
			e.Fail(EnvRoutes, fmt.Sprintf("%s= names no provider", country))
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[country] = l
	}
	return out
}

func list(e *config.Env, name, v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		switch {
		case s == "":
		case !slices.Contains(Providers, s):
			e.Fail(name, fmt.Sprintf("%.20q is not a provider (%s)", s, strings.Join(Providers, ", ")))
		case slices.Contains(out, s):
			e.Fail(name, fmt.Sprintf("%s listed twice", s))
		default:
			out = append(out, s)
		}
	}
	return out
}
