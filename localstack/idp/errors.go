package idp

import "github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"

// apiError is a modelled Cognito error; the wire layer writes it.
type apiError = cognitowire.Error

var (
	errorf  = cognitowire.Errorf
	missing = cognitowire.Missing
)

// Error type names, from the Cognito API reference.
const (
	errInvalidParameter     = cognitowire.ErrInvalidParameter
	errNotAuthorized        = cognitowire.ErrNotAuthorized
	errUserNotFound         = cognitowire.ErrUserNotFound
	errUsernameExists       = "UsernameExistsException"
	errUserNotConfirmed     = "UserNotConfirmedException"
	errCodeMismatch         = "CodeMismatchException"
	errExpiredCode          = "ExpiredCodeException"
	errLimitExceeded        = "LimitExceededException"
	errInvalidPassword      = "InvalidPasswordException"
	errResourceNotFound     = cognitowire.ErrResourceNotFound
	errLambdaValidation     = "UserLambdaValidationException"
	errUnexpectedLambda     = "UnexpectedLambdaException"
	errInvalidLambda        = "InvalidLambdaResponseException"
	errUnsupportedTokenType = "UnsupportedTokenTypeException"
	errUnsupportedUserState = "UnsupportedUserStateException"
	errAliasExists          = "AliasExistsException"
	errInternal             = cognitowire.ErrInternal
	errSerialization        = cognitowire.ErrSerialization
	errUnknownOperation     = cognitowire.ErrUnknownOperation
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
