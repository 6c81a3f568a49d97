package idp

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is a modelled Cognito error: its Type is the __type every SDK
// maps to its typed exception.
type apiError struct {
	Type    string
	Message string
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func errorf(typ, format string, args ...any) *apiError {
	return &apiError{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// Error type names, from the Cognito API reference.
const (
	errInvalidParameter     = "InvalidParameterException"
	errNotAuthorized        = "NotAuthorizedException"
	errUserNotFound         = "UserNotFoundException"
	errUsernameExists       = "UsernameExistsException"
	errUserNotConfirmed     = "UserNotConfirmedException"
	errCodeMismatch         = "CodeMismatchException"
	errInvalidPassword      = "InvalidPasswordException"
	errResourceNotFound     = "ResourceNotFoundException"
	errLambdaValidation     = "UserLambdaValidationException"
	errUnexpectedLambda     = "UnexpectedLambdaException"
	errInvalidLambda        = "InvalidLambdaResponseException"
	errUnsupportedTokenType = "UnsupportedTokenTypeException"
	errUnsupportedUserState = "UnsupportedUserStateException"
	errAliasExists          = "AliasExistsException"
	errInternal             = "InternalErrorException"
	errSerialization        = "SerializationException"
	errUnknownOperation     = "UnknownOperationException"
	// errAccessDenied is what AWS answers a request its IAM policy refuses.
	errAccessDenied = "AccessDeniedException"
)

// Messages Cognito uses where clients (and people) recognise them.
const (
	msgIncorrect       = "Incorrect username or password."
	msgUserNotExist    = "User does not exist."
	msgSessionExpired  = "Invalid session for the user, session is expired."
	msgSessionUsedOnce = "Invalid session for the user, session can only be used once."
)

// missing is Cognito's message for an absent required member.
func missing(member string) *apiError {
	return errorf(errInvalidParameter,
		"1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// writeError sends e in the AWS JSON 1.1 error shape. The type also goes in
// x-amzn-ErrorType, which some SDKs read before the body.
func writeError(w http.ResponseWriter, e *apiError) {
	status := http.StatusBadRequest
	if e.Type == errInternal {
		status = http.StatusInternalServerError
	}
	b, _ := json.Marshal(map[string]string{"__type": e.Type, "message": e.Message})
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("x-amzn-ErrorType", e.Type)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
