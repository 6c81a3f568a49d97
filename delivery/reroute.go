package delivery

// noRoute are the error codes of an undelivered or failed message after
// which no other provider can reach the number either: the number, the
// handset or the person refuses or cannot take SMS. Any other code (and
// OtherCode) may be the path's fault, so another provider may deliver.
//
// Twilio (twilio.com/docs/api/errors/<code>):
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
// Amazon SNS (delivery.providerResponse in the delivery status logs,
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
var noRoute = map[string]bool{
	"21211": true, "21217": true, "21610": true, "21614": true, "21635": true,
	"30003": true, "30004": true, "30005": true, "30006": true,
	"opted-out": true, "invalid-number": true, "blocked-list": true, "phone-blocked": true, "unreachable": true,
}

// RouteMayHelp reports whether a message that ended undelivered or failed
// with code (as CleanCode keeps it) may reach its number through another
// provider. Twilio's codes are numbers and SNS's reasons words, so one
// table serves both.
func RouteMayHelp(code string) bool { return !noRoute[CleanCode(code)] }
