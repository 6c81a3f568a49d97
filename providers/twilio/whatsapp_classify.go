package twilio

import (
	"maps"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// whatsapp classifies the whatsapp provider's answers.
var whatsapp = kinds{WhatsAppName, whatsappCodes()}

// whatsappCodes are the Messages API's codes (codes, above) with the
// WhatsApp channel's (63xxx) and the Content API's added, and the few whose
// meaning differs on WhatsApp changed. Sources: twilio.com/docs/api/errors/
// <code> and the Twilio-to-WhatsApp code mapping,
// twilio.com/docs/whatsapp/api/error-code-mapping.
//
// NotOnChannel is for "this number can't get it on WhatsApp" (not a
// WhatsApp user, blocked the business, opted out of this sender): an SMS
// may still reach it, so the chain fails over, and the provider's breaker
// does not count it against WhatsApp. Permanent stays for a number no
// channel can reach (invalid, 21211).
//
// Most 63xxx errors reach us only on the Message resource and the
// StatusCallback, after Twilio accepted the message (like 30xxx for SMS);
// they are here for the ones Twilio answers at once, and for the names.
//
//	code   kind            meaning
//	21610  not-on-channel  recipient opted out of this sender
//	21655  provider-side   ContentSid is invalid (our setup)
//	21656  provider-side   ContentVariables invalid (our bug)
//	63001  provider-side   channel could not authenticate the request (WhatsApp sender set-up)
//	63003  not-on-channel  channel could not find To address (not on WhatsApp, inactive)
//	63005  provider-side   channel did not accept the content
//	63007  provider-side   no channel with this From address (sender not registered, pending approval)
//	63009  transient       channel provider's internal error
//	63010  transient       Twilio's platform failed to process the WhatsApp message
//	63012  transient       channel provider returned an internal service error
//	63013  provider-side   message violates the channel provider's policy
//	63014  not-on-channel  recipient blocked the sender on WhatsApp
//	63016  provider-side   outside the 24-hour window: free text instead of an approved template
//	63018  transient       channel rate limit exceeded
//	63020  provider-side   business manager invitation not accepted (sender set-up)
//	63021  provider-side   channel rejected the content (template too long, unsupported part)
//	63022  provider-side   invalid vname certificate (sender set-up)
//	63024  not-on-channel  invalid message recipient (not a WhatsApp user)
//	63027  provider-side   template does not exist for the language and locale
//	63028  provider-side   number of template parameters does not match
//	63029  transient       receiver failed to download the template
//	63030  provider-side   parameter not supported for this kind of message
//	63032  not-on-channel  WhatsApp held the message back from this user (experiment)
func whatsappCodes() map[int]code {
	m := maps.Clone(codes)
	for k, c := range map[int]code{
		21610: {providers.NotOnChannel, "recipient opted out of this sender"},
		21655: {providers.ProviderSide, "ContentSid invalid"},
		21656: {providers.ProviderSide, "ContentVariables invalid"},
		63001: {providers.ProviderSide, "channel authentication failed"},
		63003: {providers.NotOnChannel, "channel could not find the To address"},
		63005: {providers.ProviderSide, "channel did not accept the content"},
		63007: {providers.ProviderSide, "no channel with this From address"},
		63009: {providers.Transient, "channel provider internal error"},
		63010: {providers.Transient, "Twilio could not process the WhatsApp message"},
		63012: {providers.Transient, "channel provider internal service error"},
		63013: {providers.ProviderSide, "violates the channel provider's policy"},
		63014: {providers.NotOnChannel, "recipient blocked the sender"},
		63016: {providers.ProviderSide, "outside the session window: template required"},
		63018: {providers.Transient, "channel rate limit exceeded"},
		63020: {providers.ProviderSide, "business manager invitation not accepted"},
		63021: {providers.ProviderSide, "channel rejected the content"},
		63022: {providers.ProviderSide, "invalid vname certificate"},
		63024: {providers.NotOnChannel, "invalid message recipient"},
		63027: {providers.ProviderSide, "template does not exist for this locale"},
		63028: {providers.ProviderSide, "template parameter count mismatch"},
		63029: {providers.Transient, "receiver failed to download the template"},
		63030: {providers.ProviderSide, "parameter not supported for this message type"},
		63032: {providers.NotOnChannel, "held back from this user by WhatsApp"},
	} {
		m[k] = c
	}
	return m
}
