package idp

import (
	"context"
	"errors"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"maps"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/internal/uuid"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

// e164 is the shape Cognito requires of a phone_number attribute.
var e164 = regexp.MustCompile(`^\+[0-9]{4,15}$`)

type signUpInput struct {
	cognitowire.ClientRequest
	Username       string            `json:"Username"`
	Password       *string           `json:"Password"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ValidationData []attribute       `json:"ValidationData"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// signUp creates a user whose username attribute is the phone number: the
// username fills phone_number, so a sign-up needs no attributes, and any it
// sends must be in the app client's WriteAttributes. The password is
// checked against the pool's policy and then discarded: the app client
// allows no password flow. PreSignUp gets SignUp's ClientMetadata. In a
// pool that verifies phone numbers (Config.AutoVerifyPhone), a user left
// unconfirmed gets a confirmation code by SMS (confirm.go).
func (s *Server) signUp(ctx context.Context, in signUpInput) (any, *apiError) {
	if in.Username == "" {
		return nil, missing("username")
	}
	if in.Password == nil {
		return nil, missing("password")
	}
	if aerr := s.checkWrite(in.UserAttributes); aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkPassword(*in.Password); aerr != nil {
		return nil, aerr
	}
	u, aerr := s.newUser(in.Username, in.UserAttributes)
	if aerr != nil {
		return nil, aerr
	}
	u, aerr = s.preSignUp(ctx, u, "PreSignUp_SignUp", in.ClientID, attributeMap(in.ValidationData), in.ClientMetadata)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.store(u); aerr != nil {
		return nil, aerr
	}
	var delivery *codeDelivery
	if s.sendsConfirmation() && u.Status == statusUnconfirmed {
		// As in Cognito, the user exists whether or not the SMS went out:
		// ResendConfirmationCode asks again.
		if delivery, aerr = s.sendConfirmation(ctx, u.Username, sourceSMSSignUp, in.ClientID, in.ClientMetadata); aerr != nil {
			return nil, aerr
		}
	}
	return struct {
		CodeDeliveryDetails *codeDelivery `json:"CodeDeliveryDetails,omitempty"`
		UserConfirmed       bool          `json:"UserConfirmed"`
		UserSub             string        `json:"UserSub"`
	}{delivery, u.Status == statusConfirmed, u.Attributes[attrSub]}, nil
}

// newUser builds a user from the phone number given as username and the
// attributes sent with it.
func (s *Server) newUser(username string, attrs []attribute) (user, *apiError) {
	if !e164.MatchString(username) {
		return user{}, errorf(errInvalidParameter, "Username should be a phone number.")
	}
	if _, taken := s.users.lookup(username); taken {
		return user{}, errorf(errUsernameExists, "An account with the given phone_number already exists.")
	}
	sub, err := uuid.New(s.cfg.Rand)
	if err != nil {
		return user{}, errorf(errInternal, "%v", err)
	}
	u := user{Username: sub, Attributes: map[string]string{}, Enabled: true, Created: s.cfg.Now()}
	u.Modified = u.Created
	for _, a := range attrs {
		if aerr := checkAttribute(a); aerr != nil {
			return user{}, aerr
		}
		u.Attributes[a.Name] = a.Value
	}
	if p, ok := u.Attributes[attrPhone]; ok && p != username {
		return user{}, errorf(errInvalidParameter, "phone_number must match the username in this pool")
	}
	u.Attributes[attrSub] = sub
	u.Attributes[attrPhone] = username
	u.Attributes[attrPhoneVerified] = "false"
	return u, nil
}

// checkAttribute refuses what Cognito refuses of a user's attribute.
func checkAttribute(a attribute) *apiError {
	switch {
	case a.Name == "":
		return errorf(errInvalidParameter, "Attribute name must not be empty")
	case a.Name == attrSub || strings.HasPrefix(a.Name, "cognito:"):
		return errorf(errInvalidParameter, "Cannot modify an immutable attribute: %s", truncate(a.Name, 32))
	case len(a.Name) > 32:
		return errorf(errInvalidParameter, "Attribute name %s... is longer than 32 characters", a.Name[:32])
	case utf8.RuneCountInString(a.Value) > 2048:
		return errorf(errInvalidParameter, "Attribute %s is longer than 2048 characters", a.Name)
	case a.Name == attrPhone && !e164.MatchString(a.Value):
		return errorf(errInvalidParameter, "Invalid phone number format.")
	}
	return nil
}

// preSignUp runs the trigger and applies its answer.
func (s *Server) preSignUp(ctx context.Context, u user, source, clientID string, validation, meta map[string]string) (user, *apiError) {
	u.Status = statusUnconfirmed
	if source == "PreSignUp_AdminCreateUser" {
		u.Status = statusForceChange
	}
	h := s.cfg.Triggers.PreSignUp
	if h == nil {
		return u, nil
	}
	res, aerr := invoke(ctx, s.inv, namePreSignUp, h, events.CognitoEventUserPoolsPreSignup{
		CognitoEventUserPoolsHeader: s.header(source, u.Username, clientID),
		Request: events.CognitoEventUserPoolsPreSignupRequest{
			UserAttributes: submitted(u.Attributes), ValidationData: validation, ClientMetadata: meta,
		},
	})
	if aerr != nil {
		return user{}, aerr
	}
	// An admin-created user keeps FORCE_CHANGE_PASSWORD whatever the
	// trigger says: autoConfirmUser applies to sign-up.
	if res.Response.AutoConfirmUser && source == "PreSignUp_SignUp" {
		u.Status = statusConfirmed
	}
	if res.Response.AutoVerifyPhone {
		u.Attributes[attrPhoneVerified] = "true"
	}
	return u, nil
}

// submitted is what PreSignUp sees: the attributes of the request (with
// phone_number from the username), not sub or the verified flag the pool
// adds itself.
func submitted(attrs map[string]string) map[string]string {
	out := maps.Clone(attrs)
	delete(out, attrSub)
	if out[attrPhoneVerified] == "false" {
		delete(out, attrPhoneVerified)
	}
	return out
}

func (s *Server) store(u user) *apiError {
	if err := s.users.add(u); err != nil {
		return errorf(errUsernameExists, "An account with the given phone_number already exists.")
	}
	return nil
}

// checkPassword applies the pool's policy (template.yaml: 16 characters,
// no class rules).
func (s *Server) checkPassword(p string) *apiError {
	if utf8.RuneCountInString(p) < s.cfg.MinPasswordLength {
		return errorf(errInvalidPassword, "Password did not conform with policy: Password not long enough")
	}
	if len(p) > 256 {
		return errorf(errInvalidParameter, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	return nil
}

func attributeMap(list []attribute) map[string]string {
	if len(list) == 0 {
		return nil
	}
	m := make(map[string]string, len(list))
	for _, a := range list {
		m[a.Name] = a.Value
	}
	return m
}

type accessTokenInput struct {
	AccessToken string `json:"AccessToken"`
}

// userFromToken checks an access token and finds its user.
func (s *Server) userFromToken(accessToken string) (user, *apiError) {
	if accessToken == "" {
		return user{}, missing("accessToken")
	}
	claims, err := s.cfg.Tokens.VerifyAccessToken(accessToken)
	switch {
	case errors.Is(err, tokens.ErrRevoked):
		return user{}, errorf(errNotAuthorized, "Access Token has been revoked")
	case errors.Is(err, tokens.ErrExpired):
		return user{}, errorf(errNotAuthorized, "Access Token has expired")
	case err != nil:
		return user{}, errorf(errNotAuthorized, "Invalid Access Token")
	}
	u, ok := s.users.lookup(claims.Username)
	if !ok {
		return user{}, errorf(errUserNotFound, msgUserNotExist)
	}
	if !u.Enabled {
		return user{}, errorf(errNotAuthorized, "User is disabled.")
	}
	return u, nil
}

func (s *Server) getUser(_ context.Context, in accessTokenInput) (any, *apiError) {
	u, aerr := s.userFromToken(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Username       string      `json:"Username"`
		UserAttributes []attribute `json:"UserAttributes"`
	}{u.Username, attributeList(s.readable(u.Attributes), nil)}, nil
}

type updateAttributesInput struct {
	AccessToken    string            `json:"AccessToken"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// updateUserAttributes is a signed-in user changing their own attributes
// with their access token: only those in the app client's WriteAttributes.
// template.yaml leaves phone_number out, so nobody can point their codes at
// another number. Were it writable, the new number would be unverified, as
// in a pool without AttributesRequireVerificationBeforeUpdate.
func (s *Server) updateUserAttributes(_ context.Context, in updateAttributesInput) (any, *apiError) {
	if in.UserAttributes == nil {
		return nil, missing("userAttributes")
	}
	u, aerr := s.userFromToken(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkWrite(in.UserAttributes); aerr != nil {
		return nil, aerr
	}
	for _, a := range in.UserAttributes {
		if aerr := checkAttribute(a); aerr != nil {
			return nil, aerr
		}
	}
	if aerr := s.setAttributes(u.Username, attributeMap(in.UserAttributes)); aerr != nil {
		return nil, aerr
	}
	return struct {
		CodeDeliveryDetailsList []struct{} `json:"CodeDeliveryDetailsList"`
	}{[]struct{}{}}, nil
}

func (s *Server) globalSignOut(_ context.Context, in accessTokenInput) (any, *apiError) {
	u, aerr := s.userFromToken(in.AccessToken)
	if aerr != nil {
		return nil, aerr
	}
	s.cfg.Tokens.RevokeAllFor(u.Username)
	return struct{}{}, nil
}

type revokeTokenInput struct {
	Token string `json:"Token"`
	cognitowire.ClientRequest
}

// revokeToken revokes a refresh token and every token of its sign-in. As
// with OAuth revocation (RFC 7009), an unknown refresh token is no error;
// an ID or access token is not a refresh token.
func (s *Server) revokeToken(_ context.Context, in revokeTokenInput) (any, *apiError) {
	if in.Token == "" {
		return nil, missing("token")
	}
	if err := s.cfg.Tokens.Revoke(in.Token); err != nil && strings.Count(in.Token, ".") == 2 {
		return nil, errorf(errUnsupportedTokenType, "The token provided is not supported for revocation")
	}
	return struct{}{}, nil
}
