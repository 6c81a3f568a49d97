package twilio

import (
	"fmt"
	"net/http"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// code is what one Twilio error code means for the worker.
type code struct {
	kind providers.Kind
	what string // our own words: safe to log, unlike Twilio's message
}

// codes classifies the errors the Messages API answers to a create request
// (HTTP 4xx/5xx, JSON {"code", "message", "more_info", "status"}). Sources:
// twilio.com/docs/api/errors/<code>.
//
// Rule: Permanent only when the number itself can't receive (no provider
// can deliver, the chain stops); ProviderSide when Twilio refuses us (the
// account, the sender, our permissions or request: another provider may
// deliver, and someone must fix the setup); Transient when a later try may
// succeed.
//
// Not here: 30xxx delivery errors (30003 unreachable handset, 30005 unknown
// number, 30006 landline or unreachable carrier, 30007 carrier filtering,
// 30008 unknown). Twilio reports them on the Message resource and the
// StatusCallback after it has accepted the message, never as the answer to
// create, so Send has already returned a Receipt when they happen.
//
//	code   kind           meaning
//	20003  provider-side  authentication failed (wrong SID or token, suspended account)
//	20403  provider-side  account may not use the API (suspended or closed)
//	20404  provider-side  resource not found (wrong account SID in the path)
//	20429  transient      too many concurrent requests (never processed; safe to retry)
//	20500  transient      Twilio internal error
//	20503  transient      Twilio unavailable
//	21211  permanent      invalid To number
//	21212  provider-side  invalid From (number, alphanumeric ID, do-not-originate list)
//	21217  permanent      phone number does not appear valid
//	21265  permanent      To is a short code
//	21401  provider-side  sender is not a valid SMS-enabled number or sender ID
//	21408  provider-side  destination region disabled in Messaging Geo Permissions
//	21601  provider-side  From is not an SMS-capable number of this account
//	21602  provider-side  body required (our bug)
//	21603  provider-side  From or MessagingServiceSid required (our setup)
//	21604  permanent      To required: there is no number to deliver to
//	21606  provider-side  From can't message this destination from this account
//	21608  provider-side  trial account (or no approved compliance profile): To not verified
//	21610  permanent      recipient replied STOP to this sender (unsubscribed)
//	21611  transient      sender's queue holds over 10 hours of messages
//	21612  provider-side  no route for this To and From (sender type or carrier connectivity)
//	21614  permanent      To is not a mobile number (landline or invalid)
//	21617  provider-side  body over 1600 characters (our bug)
//	21624  provider-side  invalid ValidityPeriod (our bug)
//	21635  permanent      To is a landline
//	21701  provider-side  Messaging Service does not exist in this account
//	21705  provider-side  Messaging Service SID invalid
//	63038  provider-side  account's daily message limit reached
//	90007  provider-side  invalid ValidityPeriod (our bug)
//
// Any other code, or none (a proxy's HTML error page), goes by HTTP status:
// 408, 429 and 5xx transient; any other status provider-side (we can't tell
// that the number is at fault, and failing over is cheaper than losing a
// sign-in). Network errors, timeouts and a cancelled context are transient.
var codes = map[int]code{
	20003: {providers.ProviderSide, "authentication failed"},
	20403: {providers.ProviderSide, "account may not use the API"},
	20404: {providers.ProviderSide, "resource not found"},
	20429: {providers.Transient, "too many requests"},
	20500: {providers.Transient, "Twilio internal error"},
	20503: {providers.Transient, "Twilio unavailable"},
	21211: {providers.Permanent, "invalid To number"},
	21212: {providers.ProviderSide, "invalid From"},
	21217: {providers.Permanent, "phone number does not appear valid"},
	21265: {providers.Permanent, "To is a short code"},
	21401: {providers.ProviderSide, "sender is not a valid SMS-enabled number or sender ID"},
	21408: {providers.ProviderSide, "destination region not enabled (geo permissions)"},
	21601: {providers.ProviderSide, "From is not an SMS-capable number of this account"},
	21602: {providers.ProviderSide, "body required"},
	21603: {providers.ProviderSide, "From or MessagingServiceSid required"},
	21604: {providers.Permanent, "To required"},
	21606: {providers.ProviderSide, "From can't message this destination"},
	21608: {providers.ProviderSide, "trial account: To not verified"},
	21610: {providers.Permanent, "recipient unsubscribed (STOP)"},
	21611: {providers.Transient, "sender's queue is full"},
	21612: {providers.ProviderSide, "no route for this To and From"},
	21614: {providers.Permanent, "To is not a mobile number"},
	21617: {providers.ProviderSide, "body too long"},
	21624: {providers.ProviderSide, "invalid validity period"},
	21635: {providers.Permanent, "To is a landline"},
	21701: {providers.ProviderSide, "Messaging Service does not exist"},
	21705: {providers.ProviderSide, "Messaging Service invalid"},
	63038: {providers.ProviderSide, "daily message limit reached"},
	90007: {providers.ProviderSide, "invalid validity period"},
}

// kindOf classifies an error answer by its Twilio code in table, else its
// HTTP status.
func kindOf(table map[int]code, twilioCode, status int) providers.Kind {
	if c, ok := table[twilioCode]; ok {
		return c.kind
	}
	return kindOfStatus(status)
}

func kindOfStatus(status int) providers.Kind {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return providers.Transient
	}
	return providers.ProviderSide
}

// APIError is Twilio's refusal of a create request, reduced to what is safe
// to log. Twilio's message text and details often quote the To number, so
// they are dropped; Error() uses our own words from the table above.
type APIError struct {
	Status int // HTTP status
	Code   int // Twilio error code; 0 when the answer held none
	what   string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != 0 {
		s += fmt.Sprintf(", Twilio error %d", e.Code)
		if e.what != "" {
			s += ": " + e.what
		}
	}
	return s
}
