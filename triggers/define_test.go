package triggers_test

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func TestDefine(t *testing.T) {
	var (
		ask    = events.CognitoEventUserPoolsDefineAuthChallengeResponse{ChallengeName: "CUSTOM_CHALLENGE"}
		tokens = events.CognitoEventUserPoolsDefineAuthChallengeResponse{IssueTokens: true}
		fail   = events.CognitoEventUserPoolsDefineAuthChallengeResponse{FailAuthentication: true}
	)
	tests := []struct {
		fixture string
		want    events.CognitoEventUserPoolsDefineAuthChallengeResponse
	}{
		{"empty-session.json", ask},
		{"last-succeeded.json", tokens},
		{"one-wrong.json", ask},
		{"two-wrong.json", ask},
		{"three-wrong.json", fail},          // default: 3 answers per code
		{"ten-entries.json", fail},          // bounded session, even across codes
		{"srp-then-success.json", fail},     // a password round is never our sign-in
		{"null-entry.json", fail},           // odd input fails, never panics
		{"no-phone.json", fail},             // a known user without a number
		{"unknown-user.json", ask},          // looks exactly like a known user
		{"unknown-user-success.json", fail}, // can never get tokens
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			h := newHarness(t)
			got, err := invoke(t, h.define.Handle, fixture(t, "define/"+tc.fixture))
			if err != nil {
				t.Fatalf("Define: %v", err)
			}
			if d := cmp.Diff(tc.want, got.Response); d != "" {
				t.Errorf("response (-want +got):\n%s", d)
			}
		})
	}
}

func TestDefineMalformed(t *testing.T) {
	for _, name := range []string{"malformed.json", "session-not-array.json"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			if _, err := invoke(t, h.define.Handle, fixture(t, "define/"+name)); err == nil {
				t.Error("malformed event was accepted")
			}
		})
	}
}
