package fakecognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/idp"
)

// Wire shapes, named and shaped after the Cognito API reference.

type attributeType = cognitowire.Attribute

type userType = cognitowire.User

type recoveryOptionType struct {
	Name     string `json:"Name"`
	Priority int32  `json:"Priority"`
}

type accountRecoverySettingType struct {
	RecoveryMechanisms []recoveryOptionType `json:"RecoveryMechanisms"`
}

type userPoolType struct {
	ID                     string                      `json:"Id"`
	Name                   string                      `json:"Name,omitempty"`
	AccountRecoverySetting *accountRecoverySettingType `json:"AccountRecoverySetting,omitempty"`
	CreationDate           json.Number                 `json:"CreationDate"`
	LastModifiedDate       json.Number                 `json:"LastModifiedDate"`
	EstimatedNumberOfUsers int                         `json:"EstimatedNumberOfUsers"`
}

type userPoolClientDescription struct {
	ClientID   string `json:"ClientId"`
	ClientName string `json:"ClientName"`
	UserPoolID string `json:"UserPoolId"`
}

type userPoolClientType struct {
	ClientID          string      `json:"ClientId"`
	ClientName        string      `json:"ClientName"`
	UserPoolID        string      `json:"UserPoolId"`
	ExplicitAuthFlows []string    `json:"ExplicitAuthFlows,omitempty"`
	CreationDate      json.Number `json:"CreationDate"`
	LastModifiedDate  json.Number `json:"LastModifiedDate"`
}

func (s *Server) lookupPool(id string) (*pool, *cognitowire.Error) {
	if id == "" {
		return nil, cognitowire.Missing("userPoolId")
	}
	p, ok := s.pools[id]
	if !ok {
		return nil, cognitowire.UnknownPool(id)
	}
	return p, nil
}

func (s *Server) lookupUser(poolID, username string) (*pool, *User, *cognitowire.Error) {
	p, aerr := s.lookupPool(poolID)
	if aerr != nil {
		return nil, nil, aerr
	}
	if username == "" {
		return nil, nil, cognitowire.Missing("username")
	}
	u := p.user(username)
	if u == nil {
		return nil, nil, cognitowire.Errorf(cognitowire.ErrUserNotFound, "User does not exist.")
	}
	return p, u, nil
}

// AdminUpdateUserAttributes: {UserPoolId, Username, UserAttributes, ClientMetadata} -> {}.
type adminUpdateUserAttributesInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	UserAttributes []attributeType   `json:"UserAttributes"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

func (s *Server) adminUpdateUserAttributes(_ context.Context, in adminUpdateUserAttributesInput) (any, *cognitowire.Error) {
	_, u, aerr := s.lookupUser(in.UserPoolID, in.Username)
	if aerr != nil {
		return nil, aerr
	}
	if in.UserAttributes == nil {
		return nil, cognitowire.Missing("userAttributes")
	}
	for _, a := range in.UserAttributes {
		if a.Name == "" {
			return nil, cognitowire.Errorf(cognitowire.ErrInvalidParameter, "attribute name must not be empty")
		}
		u.Attributes[a.Name] = a.Value
	}
	u.Modified = s.now()
	return struct{}{}, nil
}

// AdminConfirmSignUp: {UserPoolId, Username, ClientMetadata} -> {}.
type adminConfirmSignUpInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

func (s *Server) adminConfirmSignUp(_ context.Context, in adminConfirmSignUpInput) (any, *cognitowire.Error) {
	_, u, aerr := s.lookupUser(in.UserPoolID, in.Username)
	if aerr != nil {
		return nil, aerr
	}
	if u.Status != "UNCONFIRMED" {
		return nil, cognitowire.Errorf(cognitowire.ErrNotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	}
	u.Status = "CONFIRMED"
	u.Modified = s.now()
	return struct{}{}, nil
}

// DescribeUserPool: {UserPoolId} -> {UserPool}.
type describeUserPoolInput struct {
	UserPoolID string `json:"UserPoolId"`
}

func (s *Server) describeUserPool(_ context.Context, in describeUserPoolInput) (any, *cognitowire.Error) {
	p, aerr := s.lookupPool(in.UserPoolID)
	if aerr != nil {
		return nil, aerr
	}
	out := userPoolType{
		ID:                     p.cfg.ID,
		Name:                   p.cfg.Name,
		CreationDate:           cognitowire.Epoch(p.created),
		LastModifiedDate:       cognitowire.Epoch(p.created),
		EstimatedNumberOfUsers: len(p.users),
	}
	if p.cfg.Recovery != nil {
		rs := &accountRecoverySettingType{RecoveryMechanisms: []recoveryOptionType{}}
		for _, r := range p.cfg.Recovery {
			rs.RecoveryMechanisms = append(rs.RecoveryMechanisms, recoveryOptionType(r))
		}
		out.AccountRecoverySetting = rs
	}
	return struct {
		UserPool userPoolType `json:"UserPool"`
	}{out}, nil
}

// ListUserPoolClients: {UserPoolId, MaxResults, NextToken} -> {UserPoolClients, NextToken}.
type listUserPoolClientsInput struct {
	UserPoolID string `json:"UserPoolId"`
	MaxResults int    `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

func (s *Server) listUserPoolClients(_ context.Context, in listUserPoolClientsInput) (any, *cognitowire.Error) {
	p, aerr := s.lookupPool(in.UserPoolID)
	if aerr != nil {
		return nil, aerr
	}
	from, size, aerr := s.page(in.NextToken, "maxResults", in.MaxResults)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		UserPoolClients []userPoolClientDescription `json:"UserPoolClients"`
		NextToken       string                      `json:"NextToken,omitempty"`
	}{UserPoolClients: []userPoolClientDescription{}}
	clients := p.cfg.Clients
	for i := from; i < len(clients) && i < from+size; i++ {
		out.UserPoolClients = append(out.UserPoolClients, userPoolClientDescription{
			ClientID: clients[i].ID, ClientName: clients[i].Name, UserPoolID: p.cfg.ID,
		})
	}
	if from+size < len(clients) {
		out.NextToken = token(from + size)
	}
	return out, nil
}

// DescribeUserPoolClient: {UserPoolId, ClientId} -> {UserPoolClient}.
type describeUserPoolClientInput struct {
	UserPoolID string `json:"UserPoolId"`
	ClientID   string `json:"ClientId"`
}

func (s *Server) describeUserPoolClient(_ context.Context, in describeUserPoolClientInput) (any, *cognitowire.Error) {
	p, aerr := s.lookupPool(in.UserPoolID)
	if aerr != nil {
		return nil, aerr
	}
	for _, c := range p.cfg.Clients {
		if c.ID == in.ClientID {
			return struct {
				UserPoolClient userPoolClientType `json:"UserPoolClient"`
			}{userPoolClientType{
				ClientID:          c.ID,
				ClientName:        c.Name,
				UserPoolID:        p.cfg.ID,
				ExplicitAuthFlows: c.ExplicitAuthFlows,
				CreationDate:      cognitowire.Epoch(p.created),
				LastModifiedDate:  cognitowire.Epoch(p.created),
			}}, nil
		}
	}
	return nil, cognitowire.UnknownClient(in.ClientID)
}

// ListUsers: {UserPoolId, AttributesToGet, Filter, Limit, PaginationToken} -> {Users, PaginationToken}.
func (s *Server) listUsers(_ context.Context, in cognitowire.ListUsersInput) (any, *cognitowire.Error) {
	f, err := idp.ParseFilter(in.Filter)
	if err != nil {
		return nil, cognitowire.Errorf(cognitowire.ErrInvalidParameter, "Error while parsing filter: %v", err)
	}
	p, aerr := s.lookupPool(in.UserPoolID)
	if aerr != nil {
		return nil, aerr
	}
	from, size, aerr := s.page(in.PaginationToken, "limit", in.Limit)
	if aerr != nil {
		return nil, aerr
	}
	var matched []*User
	for _, u := range p.users {
		if f.Match(u.Username, u.Status, !u.Disabled, u.Attributes) {
			matched = append(matched, u)
		}
	}
	out := struct {
		Users           []userType `json:"Users"`
		PaginationToken string     `json:"PaginationToken,omitempty"`
	}{Users: []userType{}}
	for i := from; i < len(matched) && i < from+size; i++ {
		u := matched[i]
		out.Users = append(out.Users, userType{
			Username:             u.Username,
			Attributes:           cognitowire.Attributes(u.Attributes, in.AttributesToGet),
			UserCreateDate:       cognitowire.Epoch(u.Created),
			UserLastModifiedDate: cognitowire.Epoch(u.Modified),
			Enabled:              !u.Disabled,
			UserStatus:           u.Status,
		})
	}
	if from+size < len(matched) {
		out.PaginationToken = token(from + size)
	}
	return out, nil
}

// page works out where a page starts and how long it is, from an opaque
// token and a requested size (0 means the default, 60).
func (s *Server) page(tok, sizeName string, requested int) (from, size int, aerr *cognitowire.Error) {
	if requested < 0 || requested > cognitowire.MaxPage {
		return 0, 0, cognitowire.Errorf(cognitowire.ErrInvalidParameter,
			"1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value between 0 and %d", requested, sizeName, cognitowire.MaxPage)
	}
	size = requested
	if size == 0 {
		size = cognitowire.MaxPage
	}
	size = min(size, s.pageSize)
	if tok == "" {
		return 0, size, nil
	}
	from, err := parseToken(tok)
	if err != nil {
		return 0, 0, cognitowire.Errorf(cognitowire.ErrInvalidParameter, "Invalid pagination token")
	}
	return from, size, nil
}

const tokenPrefix = "fakecognito-offset:"

func token(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.Itoa(offset)))
}

func parseToken(tok string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, err
	}
	rest, ok := strings.CutPrefix(string(b), tokenPrefix)
	if !ok {
		return 0, fmt.Errorf("not a token of this fake")
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad offset %q", rest)
	}
	return n, nil
}
