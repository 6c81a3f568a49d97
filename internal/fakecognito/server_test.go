package fakecognito_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
)

const poolID = "us-east-1_Fake"

var created = time.Date(2024, 5, 1, 12, 0, 0, 250_000_000, time.UTC)

func newServer(t *testing.T, opts ...fakecognito.Option) *fakecognito.Server {
	t.Helper()
	s := fakecognito.New(t, opts...)
	s.AddPool(fakecognito.Pool{
		ID:   poolID,
		Name: "fake",
		Clients: []fakecognito.AppClient{
			{ID: "c1", Name: "web", ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}},
			{ID: "c2", Name: "default"},
			{ID: "c3", Name: "admin", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}},
		},
		Users: []fakecognito.User{
			{Username: "u1", Status: "UNCONFIRMED", Created: created, Attributes: map[string]string{"phone_number": "+15555550101", "sub": "s1"}},
			{Username: "u2", Status: "CONFIRMED", Created: created, Attributes: map[string]string{"phone_number": "+15555550102"}},
			{Username: "u3", Status: "UNCONFIRMED", Created: created},
			{Username: "u4", Status: "UNCONFIRMED", Created: created, Attributes: map[string]string{"phone_number": "+15555550104"}},
		},
	})
	return s
}

// post sends a raw AWS JSON 1.1 request, bypassing the SDK.
func post(t *testing.T, s *fakecognito.Server, target, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestWireErrors(t *testing.T) {
	const ct = "application/x-amz-json-1.1"
	tests := []struct {
		name, target, contentType, body string
		wantType                        string
	}{
		{"unknown user", "AWSCognitoIdentityProviderService.AdminConfirmSignUp", ct,
			`{"UserPoolId":"` + poolID + `","Username":"nobody"}`, "UserNotFoundException"},
		{"unknown pool", "AWSCognitoIdentityProviderService.DescribeUserPool", ct,
			`{"UserPoolId":"us-east-1_Nope"}`, "ResourceNotFoundException"},
		{"operation the fake lacks", "AWSCognitoIdentityProviderService.SignUp", ct, `{}`, "UnknownOperationException"},
		{"other service", "DynamoDB_20120810.GetItem", ct, `{}`, "UnknownOperationException"},
		{"no target", "", ct, `{}`, "UnknownOperationException"},
		{"wrong content type", "AWSCognitoIdentityProviderService.DescribeUserPool", "application/json",
			`{"UserPoolId":"` + poolID + `"}`, "SerializationException"},
		{"malformed body", "AWSCognitoIdentityProviderService.DescribeUserPool", ct, `{"UserPoolId":`, "SerializationException"},
		{"bad filter", "AWSCognitoIdentityProviderService.ListUsers", ct,
			`{"UserPoolId":"` + poolID + `","Filter":"custom:x = \"y\""}`, "InvalidParameterException"},
		{"limit over 60", "AWSCognitoIdentityProviderService.ListUsers", ct,
			`{"UserPoolId":"` + poolID + `","Limit":61}`, "InvalidParameterException"},
		{"forged token", "AWSCognitoIdentityProviderService.ListUsers", ct,
			`{"UserPoolId":"` + poolID + `","PaginationToken":"abc"}`, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			status, hdr, body := post(t, s, tt.target, tt.contentType, tt.body)
			if status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", status)
			}
			if got := hdr.Get("Content-Type"); got != ct {
				t.Errorf("Content-Type = %q, want %q", got, ct)
			}
			var e map[string]string
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("error body %q: %v", body, err)
			}
			if e["__type"] != tt.wantType || e["message"] == "" {
				t.Errorf("error body = %v, want __type %s and a message", e, tt.wantType)
			}
			if len(s.Calls()) != 1 {
				t.Errorf("calls recorded = %d, want 1 (failed calls count too)", len(s.Calls()))
			}
		})
	}
}

func TestListUsersWireShape(t *testing.T) {
	s := newServer(t)
	status, hdr, body := post(t, s, "AWSCognitoIdentityProviderService.ListUsers", "application/x-amz-json-1.1",
		`{"UserPoolId":"`+poolID+`","Filter":"phone_number = \"+15555550101\""}`)
	if status != http.StatusOK {
		t.Fatalf("status = %d: %s", status, body)
	}
	if hdr.Get("Content-Type") != "application/x-amz-json-1.1" || hdr.Get("x-amzn-RequestId") == "" {
		t.Errorf("headers = %v", hdr)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Users": []any{map[string]any{
			"Username": "u1",
			"Attributes": []any{
				map[string]any{"Name": "phone_number", "Value": "+15555550101"},
				map[string]any{"Name": "sub", "Value": "s1"},
			},
			// Timestamps are epoch seconds as JSON numbers.
			"UserCreateDate":       json.Number("1714564800.250"),
			"UserLastModifiedDate": json.Number("1714564800.250"),
			"Enabled":              true,
			"UserStatus":           "UNCONFIRMED",
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListUsers body (-want +got):\n%s", diff)
	}
}

func TestListUsersPaginationWithSDK(t *testing.T) {
	tests := []struct {
		name      string
		filter    string
		want      []string
		wantPages int
	}{
		{"all users", "", []string{"u1", "u2", "u3", "u4"}, 2},
		{"unconfirmed", `cognito:user_status = "UNCONFIRMED"`, []string{"u1", "u3", "u4"}, 2},
		{"by phone", `phone_number = "+15555550104"`, []string{"u4"}, 1},
		{"none", `phone_number = "+10000000000"`, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, fakecognito.WithPageSize(2))
			in := &cip.ListUsersInput{UserPoolId: aws.String(poolID)}
			if tt.filter != "" {
				in.Filter = aws.String(tt.filter)
			}
			pg := cip.NewListUsersPaginator(s.Client(), in)
			var got []string
			pages := 0
			for pg.HasMorePages() {
				out, err := pg.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, u := range out.Users {
					got = append(got, aws.ToString(u.Username))
					if !aws.ToTime(u.UserCreateDate).Equal(created) {
						t.Errorf("%s UserCreateDate = %v, want %v", aws.ToString(u.Username), u.UserCreateDate, created)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if pages != tt.wantPages {
				t.Errorf("pages = %d, want %d", pages, tt.wantPages)
			}
		})
	}
}

func TestPoolAndClientsWithSDK(t *testing.T) {
	s := newServer(t, fakecognito.WithPageSize(2))
	s.AddPool(fakecognito.Pool{ID: "us-east-1_Recov", Recovery: []fakecognito.Recovery{{Name: "admin_only", Priority: 1}}})
	c := s.Client()
	ctx := context.Background()

	// A pool without a recovery setting leaves the member out.
	up, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.UserPool.Id) != poolID || up.UserPool.AccountRecoverySetting != nil {
		t.Errorf("DescribeUserPool = %+v", up.UserPool)
	}
	up, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Recov")})
	if err != nil {
		t.Fatal(err)
	}
	wantRecovery := []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeAdminOnly, Priority: aws.Int32(1)}}
	if diff := cmp.Diff(wantRecovery, up.UserPool.AccountRecoverySetting.RecoveryMechanisms,
		cmp.Comparer(func(a, b types.RecoveryOptionType) bool {
			return a.Name == b.Name && aws.ToInt32(a.Priority) == aws.ToInt32(b.Priority)
		})); diff != "" {
		t.Errorf("recovery (-want +got):\n%s", diff)
	}

	// Clients page through, and each describes its flows.
	var flows = map[string][]types.ExplicitAuthFlowsType{}
	pg := cip.NewListUserPoolClientsPaginator(c, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out.UserPoolClients {
			dc, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: d.ClientId})
			if err != nil {
				t.Fatal(err)
			}
			flows[aws.ToString(dc.UserPoolClient.ClientId)] = dc.UserPoolClient.ExplicitAuthFlows
		}
	}
	wantFlows := map[string][]types.ExplicitAuthFlowsType{
		"c1": {types.ExplicitAuthFlowsTypeAllowCustomAuth},
		"c2": nil,
		"c3": {types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth},
	}
	if diff := cmp.Diff(wantFlows, flows); diff != "" {
		t.Errorf("flows (-want +got):\n%s", diff)
	}
	if n := len(s.CallsTo("ListUserPoolClients")); n != 2 {
		t.Errorf("ListUserPoolClients calls = %d, want 2 pages", n)
	}

	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String("nope")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeUserPoolClient(nope) = %v, want *types.ResourceNotFoundException", err)
	}
}

func TestAdminWritesWithSDK(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()

	if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId:     aws.String(poolID),
		Username:       aws.String("u2"),
		UserAttributes: []types.AttributeType{{Name: aws.String("phone_number_verified"), Value: aws.String("true")}},
	}); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(poolID, "u2"); u.Attributes["phone_number_verified"] != "true" {
		t.Errorf("u2 attributes = %v", u.Attributes)
	}

	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(poolID), Username: aws.String("u1")}); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(poolID, "u1"); u.Status != "CONFIRMED" {
		t.Errorf("u1 status = %s, want CONFIRMED", u.Status)
	}
	_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(poolID), Username: aws.String("u1")})
	var notAuth *types.NotAuthorizedException
	if !errors.As(err, &notAuth) {
		t.Errorf("second confirm = %v, want *types.NotAuthorizedException", err)
	}

	got := []string{}
	for _, call := range s.Calls() {
		got = append(got, call.Operation+" "+call.Param("Username"))
	}
	want := []string{"AdminUpdateUserAttributes u2", "AdminConfirmSignUp u1", "AdminConfirmSignUp u1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}
