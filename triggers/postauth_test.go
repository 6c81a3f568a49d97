package triggers_test

import (
	"log/slog"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

const (
	poolID   = "us-east-1_AbCdEfGhI"
	username = "3f6e2a0c-5b1d-4e8f-9a7b-2c4d6e8f0a1b"
)

type countingMetrics struct{ names []string }

func (m *countingMetrics) Count(name string, _ ...metrics.Dim) { m.names = append(m.names, name) }

func TestPostAuthentication(t *testing.T) {
	tests := []struct {
		fixture    string
		userExists bool
		wantCalls  int
		wantAttr   string
		wantMetric string
	}{
		{"unverified.json", true, 1, "true", "PhoneVerified"},
		{"verified.json", true, 0, "false", ""},                // already verified: no call
		{"no-phone.json", true, 0, "false", ""},                // nothing to verify
		{"unverified.json", false, 1, "", "PhoneVerifyFailed"}, // fails, sign-in goes on
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			srv := fakecognito.New(t)
			pool := fakecognito.Pool{ID: poolID}
			if tc.userExists {
				pool.Users = []fakecognito.User{{Username: username, Status: "CONFIRMED", Attributes: map[string]string{
					"phone_number": "+14155550123", "phone_number_verified": "false",
				}}}
			}
			srv.AddPool(pool)
			logs := &syncBuffer{}
			m := &countingMetrics{}
			h := triggers.NewPostAuthentication(userpool.New(srv.Client()), 0,
				triggers.Env{Log: slog.New(slog.NewJSONHandler(logs, nil)), Metrics: m})
			if _, err := invoke(t, h.Handle, fixture(t, "postauth/"+tc.fixture)); err != nil {
				t.Fatalf("PostAuthentication failed the sign-in: %v", err)
			}
			if n := len(srv.CallsTo("AdminUpdateUserAttributes")); n != tc.wantCalls {
				t.Errorf("AdminUpdateUserAttributes calls = %d, want %d", n, tc.wantCalls)
			}
			if u, ok := srv.User(poolID, username); ok && u.Attributes["phone_number_verified"] != tc.wantAttr {
				t.Errorf("phone_number_verified = %q, want %q", u.Attributes["phone_number_verified"], tc.wantAttr)
			}
			if tc.wantMetric != "" && (len(m.names) != 1 || m.names[0] != tc.wantMetric) {
				t.Errorf("metrics = %v, want [%s]", m.names, tc.wantMetric)
			}
			assertNoNumber(t, logs.String())
		})
	}
	t.Run("malformed.json", func(t *testing.T) {
		h := triggers.NewPostAuthentication(nil, 0, triggers.Env{})
		if _, err := invoke(t, h.Handle, fixture(t, "postauth/malformed.json")); err == nil {
			t.Error("malformed event accepted")
		}
	})
}
