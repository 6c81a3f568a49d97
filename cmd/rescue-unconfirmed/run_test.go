package main

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

const poolID = "us-east-1_Rescue"

var created = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// stuck are the users the command should act on; the pool also holds a
// user without a phone and a confirmed one, which it must leave alone.
var stuck = map[string]string{
	"a1b2c3": "+15555550101",
	"d4e5f6": "+447700900202",
	"g7h8i9": "+15555550303",
}

// phoneUsers are stuck users of a pool where the phone number is the
// username: it must be masked as the user too.
var phoneUsers = []string{"+15555550606", "+447700900707"}

func phoneUsernamePool() fakecognito.Pool {
	p := fakecognito.Pool{ID: poolID, Recovery: safeRecovery, Clients: safeClients}
	for _, n := range phoneUsers {
		p.Users = append(p.Users, fakecognito.User{Username: n, Status: "UNCONFIRMED", Created: created,
			Attributes: map[string]string{"phone_number": n}})
	}
	p.Users = append(p.Users, fakecognito.User{Username: "done", Status: "CONFIRMED", Created: created,
		Attributes: map[string]string{"phone_number": "+15555550404"}})
	return p
}

func testPool(recovery []fakecognito.Recovery, clients []fakecognito.AppClient) fakecognito.Pool {
	p := fakecognito.Pool{ID: poolID, Recovery: recovery, Clients: clients}
	for name, phone := range stuck {
		p.Users = append(p.Users, fakecognito.User{Username: name, Status: "UNCONFIRMED", Created: created,
			Attributes: map[string]string{"phone_number": phone}})
	}
	sort.Slice(p.Users, func(i, j int) bool { return p.Users[i].Username < p.Users[j].Username })
	p.Users = append(p.Users,
		fakecognito.User{Username: "nophone", Status: "UNCONFIRMED", Created: created, Attributes: map[string]string{"email": "x@example.com"}},
		fakecognito.User{Username: "done", Status: "CONFIRMED", Created: created, Attributes: map[string]string{"phone_number": "+15555550404"}},
	)
	return p
}

var (
	safeRecovery = []fakecognito.Recovery{{Name: "admin_only", Priority: 1}}
	safeClients  = []fakecognito.AppClient{{ID: "web", ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}}
)

// failConfirm makes AdminConfirmSignUp fail for one username.
type failConfirm struct {
	userpool.API
	username string
}

func (f failConfirm) AdminConfirmSignUp(ctx context.Context, in *cip.AdminConfirmSignUpInput, opts ...func(*cip.Options)) (*cip.AdminConfirmSignUpOutput, error) {
	if *in.Username == f.username {
		return nil, errors.New("injected failure")
	}
	return f.API.AdminConfirmSignUp(ctx, in, opts...)
}

func TestRun(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		pool        fakecognito.Pool
		failUser    string // AdminConfirmSignUp fails for this user
		wantCode    int
		wantConfirm []string // usernames AdminConfirmSignUp was called for, sorted
		wantStatus  map[string]string
		wantOut     []string // substrings of stdout
		wantLines   map[string]int
		noListUsers bool
	}{
		{
			name:       "dry run changes nothing and says so",
			args:       []string{"-pool-id", poolID},
			pool:       testPool(safeRecovery, safeClients),
			wantCode:   0,
			wantStatus: map[string]string{"a1b2c3": "UNCONFIRMED", "d4e5f6": "UNCONFIRMED", "g7h8i9": "UNCONFIRMED"},
			wantOut: []string{
				"DRY RUN: nothing will be changed",
				"would confirm  user=a1b2c3 phone=+*******0101 created=2024-05-01T12:00:00Z",
				"would confirm  user=d4e5f6 phone=+********0202",
				"DRY RUN summary: 3 unconfirmed user(s) with a phone number would be confirmed",
			},
			wantLines: map[string]int{"would confirm": 3},
		},
		{
			name:        "apply confirms exactly the listed users",
			args:        []string{"-pool-id", poolID, "-apply"},
			pool:        testPool(safeRecovery, safeClients),
			wantCode:    0,
			wantConfirm: []string{"a1b2c3", "d4e5f6", "g7h8i9"},
			wantStatus:  map[string]string{"a1b2c3": "CONFIRMED", "d4e5f6": "CONFIRMED", "g7h8i9": "CONFIRMED", "nophone": "UNCONFIRMED"},
			wantOut:     []string{"confirmed      user=g7h8i9 phone=+*******0303", "summary: 3 unconfirmed user(s) with a phone number, 3 confirmed, 0 failed"},
			wantLines:   map[string]int{"confirmed      ": 3, "DRY RUN": 0},
		},
		{
			name:        "apply with a failure goes on and exits 1",
			args:        []string{"-pool-id", poolID, "-apply"},
			pool:        testPool(safeRecovery, safeClients),
			failUser:    "d4e5f6",
			wantCode:    1,
			wantConfirm: []string{"a1b2c3", "g7h8i9"},
			wantStatus:  map[string]string{"a1b2c3": "CONFIRMED", "d4e5f6": "UNCONFIRMED", "g7h8i9": "CONFIRMED"},
			wantOut:     []string{"FAILED         user=d4e5f6 phone=+********0202 created=2024-05-01T12:00:00Z: confirm user d4e5f6 in pool us-east-1_Rescue: injected failure", "2 confirmed, 1 failed"},
		},
		{
			name:        "phone-number usernames are masked, in a failure too",
			args:        []string{"-pool-id", poolID, "-apply"},
			pool:        phoneUsernamePool(),
			failUser:    "+447700900707",
			wantCode:    1,
			wantConfirm: []string{"+15555550606"},
			wantStatus:  map[string]string{"+15555550606": "CONFIRMED", "+447700900707": "UNCONFIRMED"},
			wantOut: []string{
				"confirmed      user=+*******0606 phone=+*******0606 created=2024-05-01T12:00:00Z",
				"FAILED         user=+********0707 phone=+********0707 created=2024-05-01T12:00:00Z: confirm user +********0707 in pool us-east-1_Rescue: injected failure",
				"1 confirmed, 1 failed",
			},
		},
		{
			name: "unsafe pool is refused before listing anyone",
			args: []string{"-pool-id", poolID, "-apply"},
			pool: testPool([]fakecognito.Recovery{{Name: "verified_phone_number", Priority: 1}},
				append([]fakecognito.AppClient{{ID: "spa", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}}}, safeClients...)),
			wantCode:   2,
			wantStatus: map[string]string{"a1b2c3": "UNCONFIRMED", "d4e5f6": "UNCONFIRMED", "g7h8i9": "UNCONFIRMED"},
			wantOut: []string{
				"REFUSED: user pool us-east-1_Rescue is not safe to rescue",
				"  - account recovery: verified_phone_number (priority 1)",
				"  - app client spa: allows ALLOW_USER_SRP_AUTH",
				"a second way in",
			},
			noListUsers: true,
		},
		{
			name:        "missing pool id",
			args:        []string{"-apply"},
			pool:        testPool(safeRecovery, safeClients),
			wantCode:    2,
			noListUsers: true,
		},
		{
			name:        "stray argument",
			args:        []string{"-pool-id", poolID, "apply"},
			pool:        testPool(safeRecovery, safeClients),
			wantCode:    2,
			noListUsers: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakecognito.New(t, fakecognito.WithPageSize(2))
			srv.AddPool(tt.pool)
			connect := func(_ context.Context, region, endpoint string) (userpool.API, error) {
				var api userpool.API = srv.Client()
				if tt.failUser != "" {
					api = failConfirm{API: api, username: tt.failUser}
				}
				return api, nil
			}
			var stdout, stderr bytes.Buffer

			code := run(context.Background(), tt.args, &stdout, &stderr, connect)

			out := stdout.String()
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, stderr.String())
			}
			var confirmedNames []string
			for _, c := range srv.CallsTo("AdminConfirmSignUp") {
				confirmedNames = append(confirmedNames, c.Param("Username"))
			}
			sort.Strings(confirmedNames)
			// An injected failure never reaches the server, so it is not listed.
			if diff := cmp.Diff(tt.wantConfirm, confirmedNames); diff != "" {
				t.Errorf("AdminConfirmSignUp users (-want +got):\n%s", diff)
			}
			for name, want := range tt.wantStatus {
				if u, _ := srv.User(poolID, name); u.Status != want {
					t.Errorf("user %s status = %s, want %s", name, u.Status, want)
				}
			}
			if u, _ := srv.User(poolID, "done"); u.Status != "CONFIRMED" {
				t.Errorf("confirmed user touched: %s", u.Status)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for prefix, want := range tt.wantLines {
				if got := countLines(out, prefix); got != want {
					t.Errorf("lines starting %q = %d, want %d", prefix, got, want)
				}
			}
			if tt.noListUsers && len(srv.CallsTo("ListUsers")) != 0 {
				t.Errorf("ListUsers called %d times, want none", len(srv.CallsTo("ListUsers")))
			}
			all := out + stderr.String()
			for _, phone := range append(append(mapValues(stuck), phoneUsers...), "+15555550404") {
				if strings.Contains(all, strings.TrimPrefix(phone, "+")) {
					t.Errorf("output contains full phone number %s:\n%s", phone, all)
				}
			}
		})
	}
}

// TestRunWithAWSConfig goes through connectAWS, the path main takes, with
// -region and -endpoint pointing the real config loader at the fake.
func TestRunWithAWSConfig(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFAKECOGNITO")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	srv := fakecognito.New(t)
	srv.AddPool(testPool(safeRecovery, safeClients))
	var stdout, stderr bytes.Buffer

	code := run(context.Background(), []string{"-pool-id", poolID, "-region", "eu-west-1", "-endpoint", srv.URL},
		&stdout, &stderr, connectAWS)

	if code != 0 {
		t.Fatalf("exit code = %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if len(srv.CallsTo("ListUsers")) == 0 || len(srv.CallsTo("AdminConfirmSignUp")) != 0 {
		t.Errorf("calls = %v, want a dry run that lists users", srv.Calls())
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"-pool-id", poolID, "-endpoint", srv.URL}, &stdout, &stderr, connectAWS); code != 1 {
		t.Errorf("without a region: exit code = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "no region") {
		t.Errorf("stderr does not explain the missing region: %s", stderr.String())
	}
}

func countLines(s, prefix string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
