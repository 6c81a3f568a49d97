package userpool_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

var adminOnly = []fakecognito.Recovery{{Name: "admin_only", Priority: 1}}

func customOnly(id string) fakecognito.AppClient {
	return fakecognito.AppClient{ID: id, Name: id, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}
}

func TestCheckRescueSafe(t *testing.T) {
	tests := []struct {
		name     string
		recovery []fakecognito.Recovery
		clients  []fakecognito.AppClient
		// wantReasons holds one substring per expected reason, in order;
		// nil means the pool is safe.
		wantReasons []string
	}{
		{
			name:     "safe: admin-only recovery, custom auth and refresh only",
			recovery: adminOnly,
			clients: []fakecognito.AppClient{
				customOnly("web"),
				{ID: "legacy", ExplicitAuthFlows: []string{"CUSTOM_AUTH_FLOW_ONLY"}},
			},
		},
		{
			name:     "safe: no app clients",
			recovery: adminOnly,
		},
		{
			name:        "SRP client",
			recovery:    adminOnly,
			clients:     []fakecognito.AppClient{customOnly("web"), {ID: "srp", ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"}}},
			wantReasons: []string{"app client srp: allows ALLOW_USER_SRP_AUTH"},
		},
		{
			name:     "password clients",
			recovery: adminOnly,
			clients: []fakecognito.AppClient{
				{ID: "pw", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}},
				{ID: "admin", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}},
			},
			wantReasons: []string{
				"app client pw: allows ALLOW_USER_PASSWORD_AUTH",
				"app client admin: allows ALLOW_ADMIN_USER_PASSWORD_AUTH",
			},
		},
		{
			name:        "empty flows mean Cognito's default, which has SRP",
			recovery:    adminOnly,
			clients:     []fakecognito.AppClient{{ID: "default"}},
			wantReasons: []string{"app client default: no ExplicitAuthFlows, so Cognito's default applies (ALLOW_USER_SRP_AUTH"},
		},
		{
			name:     "legacy names",
			recovery: adminOnly,
			clients: []fakecognito.AppClient{
				{ID: "old", ExplicitAuthFlows: []string{"USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}},
			},
			wantReasons: []string{
				"app client old: allows USER_PASSWORD_AUTH (legacy",
				"app client old: allows ADMIN_NO_SRP_AUTH (legacy",
			},
		},
		{
			name:        "choice-based USER_AUTH offers passwords",
			recovery:    adminOnly,
			clients:     []fakecognito.AppClient{{ID: "choice", ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}}},
			wantReasons: []string{"app client choice: allows ALLOW_USER_AUTH"},
		},
		{
			name:        "unknown flow fails closed",
			recovery:    adminOnly,
			clients:     []fakecognito.AppClient{{ID: "new", ExplicitAuthFlows: []string{"ALLOW_SOMETHING_NEW"}}},
			wantReasons: []string{"app client new: allows ALLOW_SOMETHING_NEW (a flow this check does not know"},
		},
		{
			name:        "recovery by verified phone number",
			recovery:    []fakecognito.Recovery{{Name: "verified_phone_number", Priority: 1}},
			clients:     []fakecognito.AppClient{customOnly("web")},
			wantReasons: []string{"account recovery: verified_phone_number (priority 1)"},
		},
		{
			name:     "recovery by email then phone",
			recovery: []fakecognito.Recovery{{Name: "verified_email", Priority: 1}, {Name: "verified_phone_number", Priority: 2}},
			wantReasons: []string{
				"account recovery: verified_email (priority 1)",
				"account recovery: verified_phone_number (priority 2)",
			},
		},
		{
			name:        "no recovery setting means legacy recovery",
			recovery:    nil,
			clients:     []fakecognito.AppClient{customOnly("web")},
			wantReasons: []string{"account recovery: the pool has no AccountRecoverySetting"},
		},
		{
			name:     "every reason, with clients across pages",
			recovery: []fakecognito.Recovery{{Name: "verified_phone_number", Priority: 1}},
			clients: []fakecognito.AppClient{
				customOnly("a"), {ID: "b", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}},
				customOnly("c"), {ID: "d"},
				{ID: "e", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}},
			},
			wantReasons: []string{
				"account recovery: verified_phone_number",
				"app client b: allows ALLOW_USER_SRP_AUTH",
				"app client d: no ExplicitAuthFlows",
				"app client e: allows ALLOW_USER_PASSWORD_AUTH",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakecognito.New(t, fakecognito.WithPageSize(2))
			srv.AddPool(fakecognito.Pool{ID: poolID, Recovery: tt.recovery, Clients: tt.clients})

			err := userpool.New(srv.Client()).CheckRescueSafe(context.Background(), poolID)

			if got, want := len(srv.CallsTo("DescribeUserPoolClient")), len(tt.clients); got != want {
				t.Errorf("DescribeUserPoolClient calls = %d, want one per client (%d)", got, want)
			}
			if tt.wantReasons == nil {
				if err != nil {
					t.Fatalf("CheckRescueSafe: %v, want nil", err)
				}
				return
			}
			var unsafe *userpool.UnsafeError
			if !errors.As(err, &unsafe) {
				t.Fatalf("CheckRescueSafe: %v, want *UnsafeError", err)
			}
			if len(unsafe.Reasons) != len(tt.wantReasons) {
				t.Fatalf("reasons = %q, want %d matching %q", unsafe.Reasons, len(tt.wantReasons), tt.wantReasons)
			}
			for i, want := range tt.wantReasons {
				if !strings.Contains(unsafe.Reasons[i], want) {
					t.Errorf("reason %d = %q, want it to contain %q", i, unsafe.Reasons[i], want)
				}
			}
			msg := err.Error()
			if !strings.Contains(msg, "second way in") {
				t.Errorf("Error() does not say why: %q", msg)
			}
			for _, r := range unsafe.Reasons {
				if !strings.Contains(msg, r) {
					t.Errorf("Error() %q lacks reason %q", msg, r)
				}
			}
		})
	}
}

func TestCheckRescueSafeUnknownPool(t *testing.T) {
	srv := fakecognito.New(t)
	err := userpool.New(srv.Client()).CheckRescueSafe(context.Background(), "us-east-1_Missing")
	var unsafe *userpool.UnsafeError
	if errors.As(err, &unsafe) {
		t.Fatalf("CheckRescueSafe: %v, want a lookup error, not *UnsafeError", err)
	}
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("CheckRescueSafe: %v, want *types.ResourceNotFoundException", err)
	}
}

func TestUnconfirmedWithPhone(t *testing.T) {
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return base.Add(time.Duration(i)*time.Hour + 250*time.Millisecond) }
	unconfirmed := func(i int, phone string) fakecognito.User {
		u := fakecognito.User{Username: fmt.Sprintf("user-%d", i), Status: "UNCONFIRMED", Created: at(i), Attributes: map[string]string{}}
		if phone != "" {
			u.Attributes["phone_number"] = phone
		}
		return u
	}
	confirmed := func(i int, phone string) fakecognito.User {
		u := unconfirmed(i, phone)
		u.Status = "CONFIRMED"
		return u
	}
	tests := []struct {
		name          string
		users         []fakecognito.User
		want          []userpool.User
		wantListCalls int
	}{
		{
			name: "across pages, skipping users without phone and confirmed users",
			users: []fakecognito.User{
				unconfirmed(1, "+15555550101"),
				confirmed(2, "+15555550102"),
				unconfirmed(3, ""),
				unconfirmed(4, "+15555550104"),
				unconfirmed(5, "+15555550105"),
				unconfirmed(6, ""),
				unconfirmed(7, "+447700900007"),
			},
			want: []userpool.User{
				{Username: "user-1", Phone: "+15555550101", Created: at(1)},
				{Username: "user-4", Phone: "+15555550104", Created: at(4)},
				{Username: "user-5", Phone: "+15555550105", Created: at(5)},
				{Username: "user-7", Phone: "+447700900007", Created: at(7)},
			},
			wantListCalls: 3, // six unconfirmed users, two per page
		},
		{
			name:          "only users without phone",
			users:         []fakecognito.User{unconfirmed(1, ""), unconfirmed(2, "")},
			wantListCalls: 1,
		},
		{
			name:          "empty pool",
			wantListCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakecognito.New(t, fakecognito.WithPageSize(2))
			srv.AddPool(fakecognito.Pool{ID: poolID, Recovery: adminOnly, Users: tt.users})

			got, err := userpool.New(srv.Client()).UnconfirmedWithPhone(context.Background(), poolID)
			if err != nil {
				t.Fatalf("UnconfirmedWithPhone: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(time.Time.Equal)); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			calls := srv.CallsTo("ListUsers")
			if len(calls) != tt.wantListCalls {
				t.Errorf("ListUsers calls = %d, want %d", len(calls), tt.wantListCalls)
			}
			for i, c := range calls {
				if f := c.Param("Filter"); f != `cognito:user_status = "UNCONFIRMED"` {
					t.Errorf("call %d Filter = %q", i, f)
				}
				if tok := c.Param("PaginationToken"); (i == 0) != (tok == "") {
					t.Errorf("call %d PaginationToken = %q", i, tok)
				}
			}
		})
	}
}

// repeatingAPI answers every ListUsers with the same pagination token.
type repeatingAPI struct{ userpool.API }

func (repeatingAPI) ListUsers(context.Context, *cip.ListUsersInput, ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	return &cip.ListUsersOutput{PaginationToken: aws.String("same")}, nil
}

func TestUnconfirmedWithPhoneRepeatedToken(t *testing.T) {
	_, err := userpool.New(repeatingAPI{}).UnconfirmedWithPhone(context.Background(), poolID)
	if err == nil || !strings.Contains(err.Error(), "pagination token repeated") {
		t.Fatalf("UnconfirmedWithPhone: %v, want a repeated-token error", err)
	}
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		name       string
		username   string
		wantStatus string
		wantErrAs  any
	}{
		{name: "unconfirmed becomes confirmed", username: "stuck", wantStatus: "CONFIRMED"},
		{name: "already confirmed is refused", username: "fine", wantStatus: "CONFIRMED", wantErrAs: new(*types.NotAuthorizedException)},
		{name: "unknown user", username: "+15555550199", wantErrAs: new(*types.UserNotFoundException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakecognito.New(t)
			srv.AddPool(fakecognito.Pool{ID: poolID, Users: []fakecognito.User{
				{Username: "stuck", Status: "UNCONFIRMED"},
				{Username: "fine", Status: "CONFIRMED"},
			}})
			err := userpool.New(srv.Client()).Confirm(context.Background(), poolID, tt.username)
			switch {
			case tt.wantErrAs == nil && err != nil:
				t.Fatalf("Confirm: %v", err)
			case tt.wantErrAs != nil && !errors.As(err, tt.wantErrAs):
				t.Fatalf("Confirm: %v, want %T", err, tt.wantErrAs)
			}
			if err != nil && strings.Contains(err.Error(), "5555550199") {
				t.Errorf("error contains a phone number: %v", err)
			}
			if u, ok := srv.User(poolID, tt.username); ok && u.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", u.Status, tt.wantStatus)
			}
			if got := srv.CallsTo("AdminConfirmSignUp"); len(got) != 1 || got[0].Param("Username") != tt.username {
				t.Errorf("AdminConfirmSignUp calls = %v, want one for %s", got, tt.username)
			}
		})
	}
}

const poolID = "us-east-1_Test"
