package userpool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// pageSize is the documented maximum of ListUsers Limit and
// ListUserPoolClients MaxResults.
const pageSize = 60

// unconfirmedFilter selects users stuck before confirmation.
const unconfirmedFilter = `cognito:user_status = "UNCONFIRMED"`

// User is a user who has a phone number (for the rescue, one left
// UNCONFIRMED).
type User struct {
	Username string
	Phone    string
	Created  time.Time
}

// UnsafeError is returned by CheckRescueSafe when the pool still has a way to
// use or set a password. Each reason names the client and flow, or the
// recovery setting, that makes it unsafe.
type UnsafeError struct {
	Reasons []string
}

func (e *UnsafeError) Error() string {
	return "confirming unconfirmed users is unsafe in this user pool: each of them has a random " +
		"password from sign-up that nobody knows, and confirming makes that account live; while " +
		"a password sign-in flow or self-service password recovery exists, that password can be " +
		"used or reset, a second way in that skips the SMS code: " + strings.Join(e.Reasons, "; ")
}

// CheckRescueSafe returns nil only if confirming users cannot open a password
// path: account recovery must be admin_only, and no app client may allow a
// flow other than custom auth and refresh tokens. Otherwise it returns an
// *UnsafeError listing every reason, or an error if the pool can't be read.
func (p *Pool) CheckRescueSafe(ctx context.Context, userPoolID string) error {
	up, err := p.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(userPoolID)})
	if err != nil {
		return fmt.Errorf("describe user pool %s: %w", userPoolID, err)
	}
	if up.UserPool == nil {
		return fmt.Errorf("describe user pool %s: response has no UserPool", userPoolID)
	}
	reasons := recoveryReasons(up.UserPool.AccountRecoverySetting)

	seen := map[string]bool{}
	var next *string
	for {
		page, err := p.api.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{
			UserPoolId: aws.String(userPoolID),
			MaxResults: aws.Int32(pageSize),
			NextToken:  next,
		})
		if err != nil {
			return fmt.Errorf("list app clients of pool %s: %w", userPoolID, err)
		}
		for _, c := range page.UserPoolClients {
			id := aws.ToString(c.ClientId)
			out, err := p.api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
				UserPoolId: aws.String(userPoolID),
				ClientId:   aws.String(id),
			})
			if err != nil {
				return fmt.Errorf("describe app client %s of pool %s: %w", id, userPoolID, err)
			}
			if out.UserPoolClient == nil {
				return fmt.Errorf("describe app client %s of pool %s: response has no UserPoolClient", id, userPoolID)
			}
			reasons = append(reasons, flowReasons(id, out.UserPoolClient.ExplicitAuthFlows)...)
		}
		if next, err = nextToken(page.NextToken, seen); err != nil {
			return fmt.Errorf("list app clients of pool %s: %w", userPoolID, err)
		}
		if next == nil {
			break
		}
	}
	if len(reasons) > 0 {
		return &UnsafeError{Reasons: reasons}
	}
	return nil
}

// recoveryReasons explains why a recovery setting other than exactly
// [admin_only] lets someone set a password.
func recoveryReasons(s *types.AccountRecoverySettingType) []string {
	if s == nil || len(s.RecoveryMechanisms) == 0 {
		return []string{"account recovery: the pool has no AccountRecoverySetting, so Cognito's " +
			"legacy recovery applies (a code by SMS, else by email) and ForgotPassword can set a password"}
	}
	if len(s.RecoveryMechanisms) == 1 && s.RecoveryMechanisms[0].Name == types.RecoveryOptionNameTypeAdminOnly {
		return nil
	}
	var reasons []string
	for _, m := range s.RecoveryMechanisms {
		if m.Name == types.RecoveryOptionNameTypeAdminOnly {
			continue
		}
		reasons = append(reasons, fmt.Sprintf("account recovery: %s (priority %d) lets ForgotPassword "+
			"send a code that sets a new password; only admin_only is safe", m.Name, aws.ToInt32(m.Priority)))
	}
	return reasons
}

// safeFlows are the only ExplicitAuthFlows that offer no password: custom
// auth (our SMS code), refresh tokens, and the legacy custom-only switch.
var safeFlows = map[types.ExplicitAuthFlowsType]bool{
	types.ExplicitAuthFlowsTypeAllowCustomAuth:       true,
	types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth: true,
	types.ExplicitAuthFlowsTypeCustomAuthFlowOnly:    true,
}

// passwordFlows says what each known unsafe flow allows.
var passwordFlows = map[types.ExplicitAuthFlowsType]string{
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth:           "password sign-in with SRP",
	types.ExplicitAuthFlowsTypeAllowUserPasswordAuth:      "password sign-in",
	types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth: "server-side password sign-in",
	types.ExplicitAuthFlowsTypeUserPasswordAuth:           "legacy name for password sign-in",
	types.ExplicitAuthFlowsTypeAdminNoSrpAuth:             "legacy name for server-side password sign-in",
	types.ExplicitAuthFlowsTypeAllowUserAuth:              "choice-based sign-in, which offers password and SRP sign-in",
}

// flowReasons lists the flows of one app client that allow a password. The
// check is an allow-list: a flow it does not know counts as unsafe.
func flowReasons(clientID string, flows []types.ExplicitAuthFlowsType) []string {
	if len(flows) == 0 {
		return []string{fmt.Sprintf("app client %s: no ExplicitAuthFlows, so Cognito's default applies "+
			"(ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_REFRESH_TOKEN_AUTH), which includes "+
			"password sign-in with SRP", clientID)}
	}
	var reasons []string
	for _, f := range flows {
		if safeFlows[f] {
			continue
		}
		what, ok := passwordFlows[f]
		if !ok {
			what = "a flow this check does not know, so it cannot rule out a password"
		}
		reasons = append(reasons, fmt.Sprintf("app client %s: allows %s (%s)", clientID, f, what))
	}
	return reasons
}

// UnconfirmedWithPhone lists every UNCONFIRMED user that has a phone_number
// attribute, following ListUsers pagination to the end. Users without a
// phone number are skipped: this flow can't sign them in anyway.
func (p *Pool) UnconfirmedWithPhone(ctx context.Context, userPoolID string) ([]User, error) {
	// ListUsers is eventually consistent; never act on a status other than
	// the one asked for.
	users, err := p.withPhone(ctx, userPoolID, aws.String(unconfirmedFilter), func(u types.UserType) bool {
		return u.UserStatus == types.UserStatusTypeUnconfirmed
	})
	if err != nil {
		return nil, fmt.Errorf("list unconfirmed users of pool %s: %w", userPoolID, err)
	}
	return users, nil
}

// UsersWithPhone lists every user that has a phone_number attribute,
// whatever their status.
func (p *Pool) UsersWithPhone(ctx context.Context, userPoolID string) ([]User, error) {
	users, err := p.withPhone(ctx, userPoolID, nil, func(types.UserType) bool { return true })
	if err != nil {
		return nil, fmt.Errorf("list users of pool %s: %w", userPoolID, err)
	}
	return users, nil
}

// withPhone follows ListUsers pagination to the end and keeps the users
// with a phone number that keep accepts.
func (p *Pool) withPhone(ctx context.Context, userPoolID string, filter *string, keep func(types.UserType) bool) ([]User, error) {
	var users []User
	seen := map[string]bool{}
	var next *string
	for {
		// No AttributesToGet: Cognito fails the request if any listed user
		// lacks a requested attribute, and some of these have no phone.
		page, err := p.api.ListUsers(ctx, &cip.ListUsersInput{
			UserPoolId:      aws.String(userPoolID),
			Filter:          filter,
			Limit:           aws.Int32(pageSize),
			PaginationToken: next,
		})
		if err != nil {
			return nil, err
		}
		for _, u := range page.Users {
			phone := attribute(u.Attributes, "phone_number")
			if phone == "" || !keep(u) {
				continue
			}
			users = append(users, User{
				Username: aws.ToString(u.Username),
				Phone:    phone,
				Created:  aws.ToTime(u.UserCreateDate),
			})
		}
		if next, err = nextToken(page.PaginationToken, seen); err != nil {
			return nil, err
		}
		if next == nil {
			return users, nil
		}
	}
}

// Confirm confirms one user's sign-up as an administrator. Call it only
// after CheckRescueSafe has returned nil for the pool.
func (p *Pool) Confirm(ctx context.Context, userPoolID, username string) error {
	_, err := p.api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(userPoolID),
		Username:   aws.String(username),
	})
	if err != nil {
		return fmt.Errorf("confirm user %s in pool %s: %w", SafeUsername(username), userPoolID, err)
	}
	return nil
}

// errRepeatedToken stops a listing whose pagination token comes back again,
// which would otherwise loop forever or, worse, end early without saying so.
var errRepeatedToken = errors.New("pagination token repeated")

// nextToken returns the token for the next page, or nil at the end.
func nextToken(tok *string, seen map[string]bool) (*string, error) {
	if tok == nil || *tok == "" {
		return nil, nil
	}
	if seen[*tok] {
		return nil, errRepeatedToken
	}
	seen[*tok] = true
	return tok, nil
}

func attribute(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
