package idp

import (
	"context"
	"errors"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"strconv"
)

// The admin operations. The local pool does not check request signatures
// or IAM: anyone who can reach the port is an administrator, which is why
// it listens on 127.0.0.1 by default.

// clientNotApplicable is the callerContext.clientId of trigger events for
// admin operations, which no app client makes.
const clientNotApplicable = "CLIENT_ID_NOT_APPLICABLE"

type adminUserInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ValidationData []attribute       `json:"ValidationData"`
	MessageAction  string            `json:"MessageAction"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
	// TemporaryPassword and DesiredDeliveryMediums are accepted and
	// ignored: the pool sends no invitations and has no password flow.
}

// checkAdmin refuses an admin request for another pool or no user.
func (s *Server) checkAdmin(in adminUserInput) *apiError {
	if aerr := s.checkPool(in.UserPoolID); aerr != nil {
		return aerr
	}
	if in.Username == "" {
		return missing("username")
	}
	return nil
}

func (s *Server) checkPool(id string) *apiError {
	switch id {
	case "":
		return missing("userPoolId")
	case s.cfg.PoolID:
		return nil
	}
	return cognitowire.UnknownPool(id)
}

func (s *Server) adminGetUser(_ context.Context, in adminUserInput) (any, *apiError) {
	if aerr := s.checkAdmin(in); aerr != nil {
		return nil, aerr
	}
	u, ok := s.users.lookup(in.Username)
	if !ok {
		return nil, errorf(errUserNotFound, msgUserNotExist)
	}
	w := u.wire(nil)
	return struct {
		Username             string      `json:"Username"`
		UserAttributes       []attribute `json:"UserAttributes"`
		UserCreateDate       any         `json:"UserCreateDate"`
		UserLastModifiedDate any         `json:"UserLastModifiedDate"`
		Enabled              bool        `json:"Enabled"`
		UserStatus           string      `json:"UserStatus"`
	}{w.Username, w.Attributes, w.UserCreateDate, w.UserLastModifiedDate, w.Enabled, w.UserStatus}, nil
}

// adminCreateUser creates a user in FORCE_CHANGE_PASSWORD, as Cognito does;
// PreSignUp runs with its ValidationData and ClientMetadata. Such a user
// answers the code and then NEW_PASSWORD_REQUIRED once. No invitation is
// ever sent (the pool has no Cognito SMS), so RESEND only checks the user.
func (s *Server) adminCreateUser(ctx context.Context, in adminUserInput) (any, *apiError) {
	if aerr := s.checkAdmin(in); aerr != nil {
		return nil, aerr
	}
	switch in.MessageAction {
	case "", "SUPPRESS":
	case "RESEND":
		return s.resendInvitation(in.Username)
	default:
		return nil, errorf(errInvalidParameter, "1 validation error detected: Value '%s' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]", truncate(in.MessageAction, 16))
	}
	u, aerr := s.newUser(in.Username, in.UserAttributes)
	if aerr != nil {
		return nil, aerr
	}
	// Unlike SignUp, AdminCreateUser may mark the number verified.
	if v, ok := attributeMap(in.UserAttributes)[attrPhoneVerified]; ok {
		u.Attributes[attrPhoneVerified] = v
	}
	u, aerr = s.preSignUp(ctx, u, "PreSignUp_AdminCreateUser", clientNotApplicable, attributeMap(in.ValidationData), in.ClientMetadata)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.store(u); aerr != nil {
		return nil, aerr
	}
	return struct {
		User userType `json:"User"`
	}{u.wire(nil)}, nil
}

func (s *Server) resendInvitation(name string) (any, *apiError) {
	u, ok := s.users.lookup(name)
	switch {
	case !ok:
		return nil, errorf(errUserNotFound, msgUserNotExist)
	case u.Status != statusForceChange:
		return nil, errorf(errUnsupportedUserState, "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD.", u.Username)
	}
	return struct {
		User userType `json:"User"`
	}{u.wire(nil)}, nil
}

func (s *Server) adminDeleteUser(_ context.Context, in adminUserInput) (any, *apiError) {
	if aerr := s.checkAdmin(in); aerr != nil {
		return nil, aerr
	}
	u, err := s.users.remove(in.Username)
	if err != nil {
		return nil, errorf(errUserNotFound, msgUserNotExist)
	}
	s.cfg.Tokens.RevokeAllFor(u.Username)
	return struct{}{}, nil
}

// adminUpdateUserAttributes sets attributes; a blank value deletes one. A
// new phone_number is unverified unless the same call sets
// phone_number_verified.
func (s *Server) adminUpdateUserAttributes(_ context.Context, in adminUserInput) (any, *apiError) {
	if aerr := s.checkAdmin(in); aerr != nil {
		return nil, aerr
	}
	if in.UserAttributes == nil {
		return nil, missing("userAttributes")
	}
	for _, a := range in.UserAttributes {
		if aerr := checkAttribute(a); aerr != nil {
			return nil, aerr
		}
	}
	if aerr := s.setAttributes(in.Username, attributeMap(in.UserAttributes)); aerr != nil {
		return nil, aerr
	}
	return struct{}{}, nil
}

// setAttributes sets a user's attributes; a blank value deletes one. A new
// phone_number is unverified unless set carries phone_number_verified.
func (s *Server) setAttributes(name string, set map[string]string) *apiError {
	_, err := s.users.update(name, func(u *user) error {
		if p, ok := set[attrPhone]; ok && p != u.Attributes[attrPhone] {
			if _, verified := set[attrPhoneVerified]; !verified {
				set[attrPhoneVerified] = "false"
			}
		}
		for n, v := range set {
			if v == "" { // a blank value deletes the attribute
				delete(u.Attributes, n)
				continue
			}
			u.Attributes[n] = v
		}
		return nil
	})
	switch {
	case errors.Is(err, errNoUser):
		return errorf(errUserNotFound, msgUserNotExist)
	case errors.Is(err, errPhoneExists):
		return errorf(errAliasExists, "An account with the given phone_number already exists.")
	case err != nil:
		return errorf(errInternal, "%v", err)
	}
	return nil
}

func (s *Server) adminConfirmSignUp(_ context.Context, in adminUserInput) (any, *apiError) {
	if aerr := s.checkAdmin(in); aerr != nil {
		return nil, aerr
	}
	var status string
	_, err := s.users.update(in.Username, func(u *user) error {
		status = u.Status
		if u.Status != statusUnconfirmed {
			return errNotUnconfirmed
		}
		u.Status = statusConfirmed
		return nil
	})
	switch {
	case errors.Is(err, errNoUser):
		return nil, errorf(errUserNotFound, msgUserNotExist)
	case errors.Is(err, errNotUnconfirmed):
		return nil, errorf(errNotAuthorized, "User cannot be confirmed. Current status is %s", status)
	case err != nil:
		return nil, errorf(errInternal, "%v", err)
	}
	return struct{}{}, nil
}

var errNotUnconfirmed = errors.New("user is not unconfirmed")

// listUsers pages through the users a Filter accepts.
func (s *Server) listUsers(_ context.Context, in cognitowire.ListUsersInput) (any, *apiError) {
	if aerr := s.checkPool(in.UserPoolID); aerr != nil {
		return nil, aerr
	}
	f, err := ParseFilter(in.Filter)
	if err != nil {
		return nil, errorf(errInvalidParameter, "Error while parsing filter: %v", err)
	}
	if in.Limit < 0 || in.Limit > cognitowire.MaxPage {
		return nil, errorf(errInvalidParameter, "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", in.Limit, cognitowire.MaxPage)
	}
	size := in.Limit
	if size == 0 {
		size = cognitowire.MaxPage
	}
	// The token is where the page ended, not an offset: users deleted
	// while paging (a clean-up loop) make no one skipped.
	var after int64
	if in.PaginationToken != "" {
		if after, err = strconv.ParseInt(in.PaginationToken, 10, 64); err != nil || after < 0 {
			return nil, errorf(errInvalidParameter, "Invalid pagination token")
		}
	}
	page, more := s.users.list(after, size, func(u *user) bool { return f.Match(u.Username, u.Status, u.Enabled, u.Attributes) })
	out := struct {
		Users           []userType `json:"Users"`
		PaginationToken string     `json:"PaginationToken,omitempty"`
	}{Users: []userType{}}
	for _, u := range page {
		out.Users = append(out.Users, u.wire(in.AttributesToGet))
	}
	if more {
		out.PaginationToken = strconv.FormatInt(page[len(page)-1].seq, 10)
	}
	return out, nil
}
