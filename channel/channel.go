package channel

import "slices"

// The channels. A provider sends on exactly one.
const (
	SMS      = "sms"
	WhatsApp = "whatsapp"
)

// Provider names, as SMS_PROVIDERS and SMS_ROUTES spell them.
const (
	ProviderSNS      = "sns"
	ProviderTwilio   = "twilio"
	ProviderConsole  = "console"
	ProviderWhatsApp = "whatsapp"
	ProviderEUM      = "eum"
)

// Providers are the provider names the configuration accepts.
var Providers = []string{ProviderSNS, ProviderTwilio, ProviderConsole, ProviderWhatsApp, ProviderEUM}

// Of is the channel provider sends on: WhatsApp for the whatsapp provider,
// SMS for every other (the console stands in for SMS).
func Of(provider string) string {
	if provider == ProviderWhatsApp {
		return WhatsApp
	}
	return SMS
}

// Valid reports whether ch names a channel.
func Valid(ch string) bool { return ch == SMS || ch == WhatsApp }

// Prefer is list with the providers on channel ch moved to the front, each
// group keeping its order. A preference the list cannot honour (no provider
// on ch, or ch empty or unknown) leaves it as it is: a user's wish never
// adds a provider the route does not allow. list is not changed.
func Prefer(list []string, ch string) []string {
	if !Valid(ch) || !slices.ContainsFunc(list, func(p string) bool { return Of(p) == ch }) {
		return list
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		if Of(p) == ch {
			out = append(out, p)
		}
	}
	for _, p := range list {
		if Of(p) != ch {
			out = append(out, p)
		}
	}
	return out
}
