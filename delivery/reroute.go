package delivery

import "github.com/cognito-phone-otp/cognito-phone-otp/channel"

// noRoute are, per channel of the message's provider, the error codes of
// an undelivered or failed message after which no other provider, on any
// channel, can reach the number either: the number, the handset or the
// person refuses or cannot take it, or our own fraud rules blocked it. Any
// other code (and OtherCode) may be the path's fault, so another provider
// may deliver.
//
// SMS, Twilio (twilio.com/docs/api/errors/<code>):
//
//	21211, 21217  invalid To number
//	21610         the recipient replied STOP (unsubscribed): never route around an opt-out
//	21614, 21635  not a mobile number / a landline
//	30003         unreachable destination handset (off, no signal): the first message waits at the carrier
//	30004         message blocked: the recipient opted out, is on a block or do-not-disturb list, or cannot take SMS
//	30005         unknown destination handset: the number is not in service
//	30006         landline or unreachable carrier
//
// Route may help (not listed, so another provider is tried): 30001 queue
// overflow, 30002 account suspended, 30007 message filtered (carrier
// filtering, the commonest OTP failure), 30008 unknown error, 30010 price
// over the maximum, 30032/30034 unverified or unregistered sender.
//
// SMS, Amazon SNS (delivery.providerResponse in the delivery status logs,
// docs.aws.amazon.com/sns/latest/dg/sms_stats_cloudwatch.html; the reason
// codes are receipts' names for them):
//
//	opted-out       Phone number is opted out
//	invalid-number  Invalid phone number
//	blocked-list    Phone is (destination is) on a blocked list
//	phone-blocked   Phone has blocked SMS
//	unreachable     Phone is currently unreachable/unavailable
//
// Route may help: spam (blocked as spam by phone carrier), carrier-blocked,
// carrier-unreachable, max-price, unknown-error, invalid-body.
//
// SMS, AWS End User Messaging SMS (the configuration set's event types,
// docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html;
// receipts names them, and shares a name with SNS where the meaning is
// the same):
//
//	TEXT_BLOCKED          blocked          the recipient's device or carrier blocks messages to the recipient
//	TEXT_INVALID          invalid-number   the destination number is not valid
//	TEXT_UNREACHABLE      unreachable      the handset is off or not on a mobile network
//	TEXT_PROTECT_BLOCKED  protect-blocked  our protect configuration blocked it: a fraud rule,
//	                                       which a send through Twilio or SNS must not route around
//	                                       (providers/eum treats it as Permanent at send for the same reason)
//
// Route may help: TEXT_TTL_EXPIRED (ttl-expired: the path was too slow),
// TEXT_CARRIER_UNREACHABLE (carrier-unreachable: a transient carrier
// network error), TEXT_CARRIER_BLOCKED (carrier-blocked: the carrier
// judged the message abusive; another sender may pass), TEXT_SPAM (spam),
// TEXT_INVALID_MESSAGE (invalid-body: another provider renders its own
// text), TEXT_UNKNOWN (unknown-error: transient or not).
//
// WhatsApp (the whatsapp provider, Twilio): only what no channel can
// reach, the codes providers/twilio's WhatsApp classifier calls Permanent
// (21211, 21217 invalid number; 21614, 21635 not a mobile, a landline).
// 21610 there is an opt-out of that WhatsApp sender, and 63003, 63014,
// 63024, 63032 "not on WhatsApp, or not from this business" (NotOnChannel):
// an SMS may still reach the number. Twilio's 30003-30006 are SMS carrier
// verdicts and say nothing of SMS after a WhatsApp message.
var noRoute = map[string]map[string]bool{
	channel.SMS: {
		"21211": true, "21217": true, "21610": true, "21614": true, "21635": true,
		"30003": true, "30004": true, "30005": true, "30006": true,
		"opted-out": true, "invalid-number": true, "blocked-list": true, "phone-blocked": true, "unreachable": true,
		"blocked": true, "protect-blocked": true,
	},
	channel.WhatsApp: {"21211": true, "21217": true, "21614": true, "21635": true},
}

// RouteMayHelp reports whether a message on channel ch (channel.Of its
// provider) that ended undelivered or failed with code (as CleanCode keeps
// it) may reach its number through another provider. Twilio's codes are
// numbers and the AWS services' reasons words, so one table per channel
// serves them all; a channel it does not know is judged as SMS, the
// stricter table.
func RouteMayHelp(ch, code string) bool {
	table, ok := noRoute[ch]
	if !ok {
		table = noRoute[channel.SMS]
	}
	return !table[CleanCode(code)]
}
