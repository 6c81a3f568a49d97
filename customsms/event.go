package customsms

import (
	"maps"
	"slices"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// RequestTypeV1 is request.type of the only event version Cognito sends
// (LambdaVersion V1_0).
const RequestTypeV1 = "customSMSSenderRequestV1"

// Event is what Cognito passes a Custom SMS Sender trigger. aws-lambda-go
// has no type for it; the header is the one every user pool trigger shares.
type Event struct {
	events.CognitoEventUserPoolsHeader
	Request Request `json:"request"`
}

// Request is the event's request: Code is the base64 of an AWS Encryption
// SDK message under the pool's KMS key (the code, or for AdminCreateUser
// the temporary password); account-takeover notices carry none.
type Request struct {
	Type           string            `json:"type"`
	Code           string            `json:"code"`
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// kinds maps each trigger source to the queue message's kind.
var kinds = map[string]string{
	"CustomSMSSender_SignUp":                      "signUp",
	"CustomSMSSender_ResendCode":                  "resendCode",
	"CustomSMSSender_ForgotPassword":              "forgotPassword",
	"CustomSMSSender_UpdateUserAttribute":         "updateUserAttribute",
	"CustomSMSSender_VerifyUserAttribute":         "verifyUserAttribute",
	"CustomSMSSender_AdminCreateUser":             "adminCreateUser",
	"CustomSMSSender_AccountTakeOverNotification": "accountTakeOver",
	"CustomSMSSender_Authentication":              "authentication",
}

// sources are the trigger's own sources, for the check every trigger
// makes (refusal.CheckSource).
var sources = source.Set{Trigger: "CustomSMSSender", Values: slices.Sorted(maps.Keys(kinds))}

// Kind returns the queue message kind of a trigger source.
func Kind(triggerSource string) (string, bool) {
	k, ok := kinds[triggerSource]
	return k, ok
}
