package cognitowire

import "fmt"

// Error is a modelled Cognito error: its Type is the __type every SDK maps
// to its typed exception.
type Error struct {
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Errorf returns an error of type typ.
func Errorf(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// Missing is Cognito's error for an absent required member.
func Missing(member string) *Error {
	return Errorf(ErrInvalidParameter,
		"1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// Error types both servers answer, from the Cognito API reference.
const (
	ErrInvalidParameter = "InvalidParameterException"
	ErrNotAuthorized    = "NotAuthorizedException"
	ErrUserNotFound     = "UserNotFoundException"
	ErrResourceNotFound = "ResourceNotFoundException"
	ErrInternal         = "InternalErrorException"
	ErrSerialization    = "SerializationException"
	ErrUnknownOperation = "UnknownOperationException"
)

// UnknownPool is Cognito's answer for a UserPoolId it does not hold.
func UnknownPool(id string) *Error {
	return Errorf(ErrResourceNotFound, "User pool %s does not exist.", truncate(id, 64))
}

// UnknownClient is Cognito's answer for a ClientId the pool does not hold.
func UnknownClient(id string) *Error {
	return Errorf(ErrResourceNotFound, "User pool client %s does not exist.", truncate(id, 128))
}
