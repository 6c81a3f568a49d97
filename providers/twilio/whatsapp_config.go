package twilio

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// Variables the whatsapp provider reads besides the account's TWILIO_*
// (account SID, auth token, region, edge, API base URL, status callback):
// one account, its own sender and templates.
const (
	EnvWhatsAppFrom                = "WHATSAPP_FROM"
	EnvWhatsAppMessagingServiceSID = "WHATSAPP_MESSAGING_SERVICE_SID"
	// EnvWhatsAppContentSIDs maps locales to approved authentication
	// templates: en=HX...,pt-BR=HX... The first listed serves a locale
	// with no template of its own.
	EnvWhatsAppContentSIDs = "WHATSAPP_CONTENT_SIDS"
)

// WhatsAppConfig is the whatsapp provider's: a Twilio account (its From
// and MessagingServiceSID unused), a WhatsApp sender, and a Content
// template per locale.
type WhatsAppConfig struct {
	Account Config

	// Exactly one sender: From, the E.164 number of a WhatsApp sender
	// registered on the account (the "whatsapp:" prefix is added on the
	// wire), or MessagingServiceSID, a Messaging Service whose sender pool
	// holds it. As for SMS, only with a Messaging Service does Send set
	// ValidityPeriod.
	From                string
	MessagingServiceSID string

	// ContentSIDs are approved WhatsApp authentication templates (Content
	// API, HX + 32 hex digits) by locale, in the order configured: the
	// first serves a locale with no template of its own.
	ContentSIDs []LocaleSID
}

// LocaleSID is one locale's template.
type LocaleSID struct{ Locale, SID string }

// WhatsAppConfigFromEnv reads the WHATSAPP_* variables and the account's
// TWILIO_* ones. It does not validate: NewWhatsApp does. A malformed
// WHATSAPP_CONTENT_SIDS entry is kept as it is, for Validate to name.
func WhatsAppConfigFromEnv(getenv func(string) string) WhatsAppConfig {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := WhatsAppConfig{
		Account:             ConfigFromEnv(getenv),
		From:                strings.TrimPrefix(get(EnvWhatsAppFrom), whatsappPrefix),
		MessagingServiceSID: get(EnvWhatsAppMessagingServiceSID),
	}
	c.Account.From, c.Account.MessagingServiceSID = "", ""
	for _, entry := range strings.Split(get(EnvWhatsAppContentSIDs), ",") {
		if entry = strings.TrimSpace(entry); entry == "" {
			continue
		}
		locale, sid, _ := strings.Cut(entry, "=")
		c.ContentSIDs = append(c.ContentSIDs, LocaleSID{Locale: normLocale(strings.TrimSpace(locale)), SID: strings.TrimSpace(sid)})
	}
	return c
}

const whatsappPrefix = "whatsapp:"

// localeTag is ^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$.
var localeTag = charclass.Tag{First: charclass.New("a-z"), FirstMin: 2, FirstMax: 3, Rest: charclass.Alnum, RestMin: 2, RestMax: 8}

// Validate reports every problem, each naming its variable.
func (c WhatsAppConfig) Validate() error {
	var errs []error
	fail := func(name, why string) { errs = append(errs, fmt.Errorf("%s: %s", name, why)) }
	c.Account.checkAccount(fail)
	switch {
	case c.From == "" && c.MessagingServiceSID == "":
		fail(EnvWhatsAppFrom, fmt.Sprintf("required, or %s instead", EnvWhatsAppMessagingServiceSID))
	case c.From != "" && c.MessagingServiceSID != "":
		fail(EnvWhatsAppFrom, fmt.Sprintf("set either %s or %s, not both", EnvWhatsAppFrom, EnvWhatsAppMessagingServiceSID))
	case c.From != "" && !e164(c.From):
		fail(EnvWhatsAppFrom, fmt.Sprintf("%.20q is not an E.164 number (+15551234567): a WhatsApp sender is a phone number", c.From))
	case c.MessagingServiceSID != "" && !sid(c.MessagingServiceSID, "MG"):
		fail(EnvWhatsAppMessagingServiceSID, "must be MG followed by 32 hex digits")
	}
	if len(c.ContentSIDs) == 0 {
		fail(EnvWhatsAppContentSIDs, "required: an approved authentication template per locale, e.g. en=HX...,pt-BR=HX... (WhatsApp refuses free text from a business)")
	}
	var seen []string
	for i, e := range c.ContentSIDs {
		switch {
		case !localeTag.Match(e.Locale):
			fail(EnvWhatsAppContentSIDs, fmt.Sprintf("entry %d: %.20q is not a locale (en, pt-BR); want locale=HX...", i+1, e.Locale))
		case slices.Contains(seen, e.Locale):
			fail(EnvWhatsAppContentSIDs, fmt.Sprintf("%s listed twice", e.Locale))
		case !sid(e.SID, "HX"):
			fail(EnvWhatsAppContentSIDs, fmt.Sprintf("%s: %.20q is not a Content SID (HX followed by 32 hex digits)", e.Locale, e.SID))
		}
		seen = append(seen, e.Locale)
	}
	return errors.Join(errs...)
}

// contentSID is the template for locale: its own, its language's (pt for
// pt-BR), or the first configured.
func (c WhatsAppConfig) contentSID(locale string) string {
	locale = normLocale(locale)
	lang, _, _ := strings.Cut(locale, "-")
	for _, want := range []string{locale, lang} {
		for _, e := range c.ContentSIDs {
			if e.Locale == want {
				return e.SID
			}
		}
	}
	return c.ContentSIDs[0].SID
}

// normLocale: "PT-br" -> "pt-BR", "EN" -> "en".
func normLocale(s string) string {
	lang, region, ok := strings.Cut(s, "-")
	if !ok {
		return strings.ToLower(s)
	}
	return strings.ToLower(lang) + "-" + strings.ToUpper(region)
}

// String prints the settings with the auth token redacted.
func (c WhatsAppConfig) String() string {
	return fmt.Sprintf("{Account:%s From:%s MessagingServiceSID:%s ContentSIDs:%v}", c.Account, c.From, c.MessagingServiceSID, c.ContentSIDs)
}

// GoString is String, for %#v.
func (c WhatsAppConfig) GoString() string { return "twilio.WhatsAppConfig" + c.String() }
