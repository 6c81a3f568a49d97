package eum

import (
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"
	"github.com/aws/smithy-go"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/awsreply"
)

// Classification, from the SendTextMessage API reference (its errors) and
// the reasons the exceptions carry (ConflictExceptionReason,
// ValidationExceptionReason, ServiceQuotaExceededExceptionReason,
// AccessDeniedExceptionReason):
//
//	ThrottlingException            transient      the account's or identity's MPS, or the API's rate
//	InternalServerException        transient      a fault on AWS's side
//	AccessDeniedException          provider-side  IAM, ACCOUNT_DISABLED, INSUFFICIENT_ACCOUNT_REPUTATION
//	ResourceNotFoundException      provider-side  identity, configuration set or protect configuration not found
//	ServiceQuotaExceededException  provider-side  MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT and other quotas
//	ConflictException              by reason:
//	  DESTINATION_PHONE_NUMBER_OPTED_OUT                     permanent: the holder opted out (STOP)
//	  DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION   permanent: the operator's fraud rules say
//	  DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE  no; failing over would route around them
//	  DESTINATION_PHONE_NUMBER_NOT_VERIFIED                  provider-side: the account's sandbox
//	  any other (RESOURCE_NOT_ACTIVE, MESSAGE_TYPE_MISMATCH, ...) provider-side: our set-up
//	ValidationException            by reason and fields:
//	  a field error naming only DestinationPhoneNumber       permanent: the number itself
//	  any other (DESTINATION_COUNTRY_BLOCKED, PRICE_OVER_THRESHOLD,
//	  INVALID_IDENTITY_FOR_DESTINATION_COUNTRY, SENDER_ID_NOT_REGISTERED, ...)
//	                                                         provider-side: the account's or our
//	                                                         settings; another provider may deliver
//
// Any other code goes by HTTP status: 429 and 5xx transient, else
// provider-side. No answer (network, timeout, cancellation): transient.
var permanentConflicts = map[types.ConflictExceptionReason]bool{
	types.ConflictExceptionReasonDestinationPhoneNumberOptedOut:                       true,
	types.ConflictExceptionReasonDestinationCountryBlockedByProtectConfiguration:      true,
	types.ConflictExceptionReasonDestinationPhoneNumberBlockedByProtectNumberOverride: true,
}

// classify turns SendTextMessage's error into a *providers.Error whose text
// holds neither m.To nor m.Body. Code is the exception's name, and its
// reason when it has one ("ConflictException/DESTINATION_PHONE_NUMBER_OPTED_OUT").
func classify(err error, m providers.Message) *providers.Error {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return awsreply.NoAnswer(Name, "End User Messaging", err, m)
	}
	status, requestID := awsreply.Response(err)
	kind, reason := kindOf(err, apiErr.ErrorCode(), status)
	code := apiErr.ErrorCode()
	if reason != "" {
		code += "/" + reason
	}
	return &providers.Error{
		Provider: Name,
		Code:     code,
		Kind:     kind,
		Err:      &providers.SafeError{Msg: providers.DescribeHTTP(status, requestID, providers.Redact(apiErr.ErrorMessage(), m))},
	}
}

// kindOf is the Kind of an API error, and the reason it carried.
func kindOf(err error, code string, status int) (providers.Kind, string) {
	var (
		conflict   *types.ConflictException
		validation *types.ValidationException
		quota      *types.ServiceQuotaExceededException
		denied     *types.AccessDeniedException
	)
	switch {
	case errors.As(err, &conflict):
		if permanentConflicts[conflict.Reason] {
			return providers.Permanent, string(conflict.Reason)
		}
		return providers.ProviderSide, string(conflict.Reason)
	case errors.As(err, &validation):
		if onlyDestination(validation.Fields) {
			return providers.Permanent, string(validation.Reason)
		}
		return providers.ProviderSide, string(validation.Reason)
	case errors.As(err, &quota):
		return providers.ProviderSide, string(quota.Reason)
	case errors.As(err, &denied):
		return providers.ProviderSide, string(denied.Reason)
	}
	switch code {
	case "ThrottlingException", "InternalServerException":
		return providers.Transient, ""
	case "ResourceNotFoundException", "AccessDeniedException", "UnrecognizedClientException",
		"InvalidSignatureException", "ExpiredTokenException", "IncompleteSignature", "MissingAuthenticationToken":
		return providers.ProviderSide, ""
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		return providers.Transient, ""
	}
	return providers.ProviderSide, ""
}

// onlyDestination: the fields at fault are the destination number alone.
func onlyDestination(fields []types.ValidationExceptionField) bool {
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		if f.Name == nil || *f.Name != "DestinationPhoneNumber" {
			return false
		}
	}
	return true
}
