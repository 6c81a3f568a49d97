package triggers_test

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// fixedCode is the test numbers' code in these tests; no random code of
// the SMS path is checked against it, so a collision cannot fail a test.
const fixedCode = "424242"

func withTestNumbers(m map[string]string) option {
	return func(c *triggers.Config) { c.TestNumbers = m }
}

// countMetrics rewires h's Create to count its metrics into m.
func (h *harness) countMetrics(m *countingMetrics) {
	h.t.Helper()
	env := triggers.Env{
		Now:     h.clock.Now,
		Shard:   func(int) int { return 0 },
		Log:     slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: m,
	}
	c, err := triggers.NewCreate(h.cfg, h.store, h.queue, h.keys, env)
	if err != nil {
		h.t.Fatal(err)
	}
	h.create = c
}

func TestCreateTestNumbers(t *testing.T) {
	tests := []struct {
		name        string
		fixture     string
		testNumbers map[string]string
		wantSMS     bool // a random code was enqueued
		fixedWorks  bool // fixedCode verifies
		decoy       bool // a decoy's message was enqueued
	}{
		{"test number", "first-round.json", map[string]string{userPhone: fixedCode}, false, true, false},
		{"other number, test numbers on", "india.json", map[string]string{userPhone: fixedCode}, true, false, false},
		{"test numbers off", "first-round.json", nil, true, false, false},
		// Unregistered: the decoy path, whose code can never verify.
		{"unregistered test number", "unknown-user.json", map[string]string{"+14155550199": fixedCode}, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withTestNumbers(tc.testNumbers))
			m := &countingMetrics{}
			h.countMetrics(m)
			id := challengeID(t, h.createOK(tc.fixture))
			var code string
			switch {
			case tc.wantSMS:
				code = h.code(h.oneMessage())
			case tc.decoy:
				h.decoyMessages(1)
			default:
				h.noMessage()
			}
			if got := h.answer(id, fixedCode); got != tc.fixedWorks {
				t.Errorf("fixed code verifies: %v, want %v", got, tc.fixedWorks)
			}
			if tc.wantSMS && !h.answer(id, code) {
				t.Error("the code sent by SMS does not verify")
			}
			wantTest := tc.fixedWorks
			if got := slices.Contains(m.names, "TestNumberChallenge"); got != wantTest {
				t.Errorf("metrics %v: TestNumberChallenge counted %v, want %v", m.names, got, wantTest)
			}
			if got := strings.Contains(h.logs.String(), "test number: no SMS sent"); got != wantTest {
				t.Errorf("logged \"test number: no SMS sent\": %v, want %v", got, wantTest)
			}
			h.noCodeInLogs(fixedCode)
		})
	}
}

// A test number goes through everything but the SMS: the reuse pointer,
// a fresh challenge (same code) after the cooldown, and the send caps.
func TestCreateTestNumberKeepsPolicy(t *testing.T) {
	h := newHarness(t, withTestNumbers(map[string]string{userPhone: fixedCode}))
	first := challengeID(t, h.createOK("first-round.json"))
	h.clock.Advance(10 * time.Second)
	if again := challengeID(t, h.createOK("first-round.json")); again != first {
		t.Errorf("within cooldown: challenge %s, want reuse of %s", again, first)
	}
	for range 4 {
		h.clock.Advance(31 * time.Second)
		id := challengeID(t, h.createOK("first-round.json"))
		if id == first {
			t.Fatal("after the cooldown the old challenge was reused")
		}
		c, err := h.store.GetChallenge(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		kr, _ := h.keys.Keyring(context.Background())
		if !kr.CheckMAC(c.KeyID, c.MAC, id, fixedCode) {
			t.Errorf("challenge %s does not hold the fixed code's MAC", id)
		}
	}
	h.clock.Advance(31 * time.Second)
	if got := h.createRefused("first-round.json"); !strings.HasPrefix(got, "OTP_RATE_LIMITED") {
		t.Errorf("6th code in 15 min for a test number: %q, want OTP_RATE_LIMITED", got)
	}
	h.noMessage()
	h.noCodeInLogs(fixedCode)
}

func TestConfigValidateTestNumbers(t *testing.T) {
	tests := []struct {
		name    string
		number  string
		code    string
		wantErr string // "" for valid
	}{
		{"valid", "+14155550100", "123456", ""},
		{"not E.164", "+1 415 555 0100", "123456", "test number +*******0100: check phone"},
		{"not international", "4155550100", "123456", "test number ******0100: check phone"},
		{"no length of the plan", "+1415555010", "123456", "test number +******5010: check phone"},
		{"country refused", "+61491570006", "123456", "country AU"},
		// Create checks what it meets without the numbering plan: validity
		// and type are PreSignUp's to judge, at sign-up (an invalid or
		// toll-free test number can never sign up, so never signs in).
		{"invalid number, judged at sign-up", "+15555550100", "123456", ""},
		{"toll-free, judged at sign-up", "+18005550100", "123456", ""},
		{"code too short", "+14155550100", "12345", "test number +*******0100: code must be exactly 6 ASCII digits"},
		{"code too long", "+14155550100", "1234567", "code must be exactly 6 ASCII digits"},
		{"code empty", "+14155550100", "", "code must be exactly 6 ASCII digits"},
		{"code not digits", "+14155550100", "12345a", "code must be exactly 6 ASCII digits"},
		{"code full-width digits", "+14155550100", "１２３４５６", "code must be exactly 6 ASCII digits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := triggers.DefaultConfig()
			c.Phone.AllowedCountries = []string{"US", "IN"}
			c.TestNumbers = map[string]string{tc.number: tc.code}
			err := c.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tc.wantErr)
			}
			if regexp.MustCompile(`[0-9]{7,}`).MatchString(err.Error()) {
				t.Errorf("error holds a full number: %v", err)
			}
			if tc.code != "" && strings.Contains(err.Error(), tc.code) {
				t.Errorf("error holds the code: %v", err)
			}
		})
	}
}

func TestTestNumbersWarning(t *testing.T) {
	tests := []struct {
		name    string
		numbers map[string]string
		want    []string // parts the warning must hold; none: want ""
	}{
		{"off", nil, nil},
		{"empty", map[string]string{}, nil},
		{"one", map[string]string{"+14155550100": "123456"},
			[]string{"TEST NUMBERS ARE ON (1: +*******0100)", "fixed codes", "no SMS", "app-store review"}},
		{"two, sorted", map[string]string{"+919876543210": "654321", "+14155550100": "123456"},
			[]string{"TEST NUMBERS ARE ON (2: +*******0100, +********3210)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := triggers.Config{TestNumbers: tc.numbers}.TestNumbersWarning()
			if tc.want == nil {
				if got != "" {
					t.Errorf("warning %q, want none", got)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("warning %q does not hold %q", got, w)
				}
			}
			if strings.Contains(got, "\n") {
				t.Errorf("warning %q is not one line", got)
			}
			for n, code := range tc.numbers {
				if strings.Contains(got, n[1:]) || strings.Contains(got, code) {
					t.Errorf("warning %q holds a full number or a code", got)
				}
				if !strings.Contains(got, phone.Mask(n)) {
					t.Errorf("warning %q does not name %s", got, phone.Mask(n))
				}
			}
		})
	}
}
