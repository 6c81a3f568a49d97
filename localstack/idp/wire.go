package idp

import (
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
)

// Wire shapes, named after the Cognito API reference. Members a real client
// sends that the local pool has no use for (UserContextData,
// AnalyticsMetadata, SecretHash, ValidationData for most operations) are
// accepted by leaving them out of these structs: encoding/json ignores them.

// attribute is an AttributeType.
type attribute = cognitowire.Attribute

type authResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	IDToken      string `json:"IdToken"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	TokenType    string `json:"TokenType"`
}

// authResponse is the output of InitiateAuth and RespondToAuthChallenge:
// either a challenge with its session, or tokens.
type authResponse struct {
	AuthenticationResult *authResult       `json:"AuthenticationResult,omitempty"`
	ChallengeName        string            `json:"ChallengeName,omitempty"`
	ChallengeParameters  map[string]string `json:"ChallengeParameters,omitempty"`
	Session              string            `json:"Session,omitempty"`
}

type userType = cognitowire.User

var (
	attributeList = cognitowire.Attributes
	epoch         = cognitowire.Epoch
)

func (u *user) wire(names []string) userType {
	return userType{
		Username:             u.Username,
		Attributes:           attributeList(u.Attributes, names),
		UserCreateDate:       epoch(u.Created),
		UserLastModifiedDate: epoch(u.Modified),
		Enabled:              u.Enabled,
		UserStatus:           u.Status,
	}
}
