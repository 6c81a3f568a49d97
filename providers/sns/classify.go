package sns

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/awsreply"
)

// byCode classifies SNS error codes. The codes are those of the Publish API
// reference and the Common Errors page (as the query protocol sends them in
// <Code>: "Throttled", not "ThrottledException"). Codes whose meaning depends
// on which parameter was bad are in byMessage's care instead.
var byCode = map[string]providers.Kind{
	// Throttling and server faults: the same call can succeed later.
	"Throttled":                providers.Transient, // 429: the account's Publish TPS
	"ThrottlingException":      providers.Transient, // common error
	"Throttling":               providers.Transient,
	"RequestThrottled":         providers.Transient,
	"TooManyRequestsException": providers.Transient,
	"RequestLimitExceeded":     providers.Transient,
	"KMSThrottling":            providers.Transient, // the topic's KMS key is throttled
	"InternalError":            providers.Transient, // 500
	"InternalFailure":          providers.Transient, // common error, 500
	"ServiceUnavailable":       providers.Transient, // common error, 503
	"RequestExpired":           providers.Transient, // the request was held up past its signature's time
	"RequestTimeout":           providers.Transient,
	"RequestTimeoutException":  providers.Transient,

	// SNS refuses us, not the number: credentials, permissions, account state,
	// KMS. Another provider can still deliver; retrying SNS will not help.
	"AuthorizationError":          providers.ProviderSide, // 403: the account or role may not publish (IAM, or SMS not allowed)
	"InvalidClientTokenId":        providers.ProviderSide, // 403: unknown access key
	"SignatureDoesNotMatch":       providers.ProviderSide, // 403: wrong secret key
	"IncompleteSignature":         providers.ProviderSide,
	"MissingAuthenticationToken":  providers.ProviderSide,
	"UnrecognizedClientException": providers.ProviderSide,
	"ExpiredToken":                providers.ProviderSide, // the session token expired: the credentials chain is stale
	"ExpiredTokenException":       providers.ProviderSide,
	"AccessDenied":                providers.ProviderSide,
	"AccessDeniedException":       providers.ProviderSide,
	"NotAuthorized":               providers.ProviderSide,
	"OptInRequired":               providers.ProviderSide, // 403: the account is not subscribed to the service
	"InvalidSecurity":             providers.ProviderSide, // 403: not HTTPS / not SigV4
	"KMSAccessDenied":             providers.ProviderSide,
	"KMSDisabled":                 providers.ProviderSide,
	"KMSInvalidState":             providers.ProviderSide,
	"KMSNotFound":                 providers.ProviderSide,
	"KMSOptInRequired":            providers.ProviderSide,
	"NotFound":                    providers.ProviderSide, // 404: a topic or endpoint ARN, never a phone number
	"PlatformApplicationDisabled": providers.ProviderSide,
	// A malformed request is our bug, the same for every number.
	"InvalidAction":               providers.ProviderSide,
	"MalformedQueryString":        providers.ProviderSide,
	"MissingParameter":            providers.ProviderSide,
	"MissingAction":               providers.ProviderSide,
	"InvalidQueryParameter":       providers.ProviderSide,
	"InvalidParameterCombination": providers.ProviderSide,

	// The number cannot receive from us.
	"OptedOut":         providers.Permanent, // the holder replied STOP to this account
	"EndpointDisabled": providers.Permanent, // a disabled endpoint; for SMS, the destination
}

// byMessageCodes say only that "a request parameter does not comply with the
// associated constraints"; which parameter it was is in the message alone.
var byMessageCodes = map[string]bool{
	"InvalidParameter":      true,
	"InvalidParameterValue": true,
	"ParameterValueInvalid": true, // InvalidParameterValue's <Code> on the wire
	"ValidationException":   true,
	"ValidationError":       true,
}

// Lower-case fragments byMessage looks for.
var (
	// The account's state, not the number: the SMS sandbox (only verified
	// destinations), the monthly spend limit, SMS not offered in the region.
	accountHints = []string{"sandbox", "verified", "verify", "spend", "quota", "monthlyspendlimit", "region", "not supported", "not enabled", "no origination"}
	// One of our own attributes or the message: a misconfiguration.
	ourHints = []string{"messageattribute", "aws.sns.sms", "aws.mm.sms", "senderid", "sender id", "originationnumber", "origination number", "maxprice", "entityid", "templateid", "smstype", "message too long", "empty message"}
)

// byMessage classifies an InvalidParameter-like error by its message text.
// This is the one place we read SNS's text: its error codes do not say which
// parameter was wrong, and "the number is bad" (Permanent: stop the chain)
// must not be confused with "our settings are bad" (ProviderSide: fail over).
//
//   - account hints (sandbox, verified, spend, quota, region, ...): ProviderSide
//   - our attributes or the body (SenderID, OriginationNumber, MaxPrice,
//     EntityId, TemplateId, "Message too long", ...): ProviderSide
//   - "PhoneNumber ... is not valid to publish to": ProviderSide. SNS gives
//     this same text for a malformed number and for a well-formed one it will
//     not text from this account or region; our numbers are already valid
//     E.164 (the phone package, and Send's own check), so the second is the
//     likelier, and failing over lets the next provider judge the number.
//   - any other text naming PhoneNumber (e.g. "does not meet the E164
//     format"): Permanent
//   - anything else: ProviderSide. Permanent ends the chain, so it needs
//     evidence; an unknown complaint goes to the next provider and an alarm.
func byMessage(msg string) providers.Kind {
	s := strings.ToLower(msg)
	if containsAny(s, accountHints) || containsAny(s, ourHints) {
		return providers.ProviderSide
	}
	if strings.Contains(s, "phonenumber") || strings.Contains(s, "phone number") {
		if strings.Contains(s, "valid to publish to") {
			return providers.ProviderSide
		}
		return providers.Permanent
	}
	return providers.ProviderSide
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// classify turns an error from Publish into a *providers.Error whose text
// holds neither m.To nor m.Body, and whose chain holds no SDK error (their
// messages would): only a context sentinel, for errors.Is.
func classify(err error, m providers.Message) *providers.Error {
	status, requestID := awsreply.Response(err)

	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		kind, ok := byCode[code]
		switch {
		case ok:
		case byMessageCodes[code]:
			kind = byMessage(apiErr.ErrorMessage())
		case status == http.StatusTooManyRequests || status >= 500:
			kind = providers.Transient
		default:
			// An unknown client error: SNS rejects something about us or this
			// request. Fail over rather than drop the message.
			kind = providers.ProviderSide
		}
		return &providers.Error{
			Provider: name,
			Code:     code,
			Kind:     kind,
			Err:      &providers.SafeError{Msg: providers.DescribeHTTP(status, requestID, providers.Redact(apiErr.ErrorMessage(), m))},
		}
	}

	// No API error: no answer, or one that was not SNS's (a proxy's page).
	return awsreply.NoAnswer(name, "SNS", err, m)
}
