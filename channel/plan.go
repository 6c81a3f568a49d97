package channel

import "strings"

// Variables a Plan is read from (routing.PlanFromEnv); the sms-worker and
// the Create trigger both read them and must be given the same values.
const (
	EnvProviders = "SMS_PROVIDERS"
	EnvRoutes    = "SMS_ROUTES"
	// EnvAttribute names the user attribute that holds a user's preferred
	// channel (sms or whatsapp). Unset, no preference is read (off): with
	// one, Create's public channel parameter tells a registered user who
	// chose the other channel from an unknown number (docs/security.md).
	EnvAttribute = "OTP_CHANNEL_ATTRIBUTE"
)

// SuggestedAttribute is the attribute template.yaml's user pool defines
// for a preferred channel, to name in EnvAttribute to turn preferences on:
// a custom attribute, so the app may let the user write it.
const SuggestedAttribute = "custom:otp_channel"

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
