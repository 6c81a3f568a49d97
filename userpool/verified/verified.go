// Package verified marks a user's phone number verified in a Cognito user
// pool, as PostAuthentication does once the user has proven the number
// with a code. It is one AdminUpdateUserAttributes call made through
// internal/awsjson, so the PostAuthentication function links no generated
// Cognito client (about 4 MB for this one operation); package userpool,
// which the rescue command uses, keeps the SDK client for its many calls.
// Errors never show a full phone number.
package verified

import (
	"context"
	"fmt"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
)

// API calls one operation of the Cognito user pools API
// (*awsjson.Client of awsjson.CognitoIdentityProvider). Errors from
// Cognito wrap *awsjson.APIError, whose Code callers may branch on
// ("UserNotFoundException", "ResourceNotFoundException").
type API interface {
	Call(ctx context.Context, operation string, in, out any) error
}

// Marker marks phone numbers verified.
type Marker struct {
	api API
}

// New returns a Marker that calls api.
func New(api API) *Marker {
	return &Marker{api: api}
}

// attribute is Cognito's AttributeType.
type attribute struct {
	Name  string
	Value string
}

// MarkPhoneVerified sets phone_number_verified=true on a user.
func (m *Marker) MarkPhoneVerified(ctx context.Context, userPoolID, username string) error {
	in := struct {
		UserPoolId     string
		Username       string
		UserAttributes []attribute
	}{userPoolID, username, []attribute{{"phone_number_verified", "true"}}}
	var out struct{}
	if err := m.api.Call(ctx, "AdminUpdateUserAttributes", in, &out); err != nil {
		return fmt.Errorf("mark phone verified for user %s in pool %s: %w", mask.Username(username), userPoolID, err)
	}
	return nil
}
