package schema_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// A delivery check carries the job as enqueued: the code stays sealed,
// and opens from the decoded job as from the original.
func TestCheckRoundTrip(t *testing.T) {
	kr := mustKeyring(t, secretNew)
	created := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	job := mustMessage(t, kr, "493817", created, created.Add(3*time.Minute))
	body, err := schema.NewCheck(job, "twilio", "SM0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "493817") {
		t.Fatal("the check holds the code in the open")
	}
	if !schema.IsCheck(body) || schema.IsCognitoSMS(body) {
		t.Fatal("a check is not told apart by its version")
	}
	chk, got, err := schema.DecodeCheck(body)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(job, got); d != "" {
		t.Errorf("job (-sent +decoded):\n%s", d)
	}
	if chk.Provider != "twilio" || chk.ProviderMessageID != "SM0123456789abcdef0123456789abcdef" {
		t.Errorf("check %+v", chk)
	}
	if code, err := got.OpenCode(kr); err != nil || code != "493817" {
		t.Errorf("OpenCode = %q, %v", code, err)
	}
}

func TestCheckRefuses(t *testing.T) {
	kr := mustKeyring(t, secretNew)
	created := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	job := mustMessage(t, kr, "493817", created, created.Add(3*time.Minute))
	for _, tc := range []struct{ provider, id string }{{"", "m1"}, {"Twilio", "m1"}, {"sns", ""}, {"sns", "id with spaces"}, {"sns", strings.Repeat("x", 129)}} {
		if _, err := schema.NewCheck(job, tc.provider, tc.id); !errors.Is(err, schema.ErrMalformed) {
			t.Errorf("NewCheck(%q, %q) = %v, want ErrMalformed", tc.provider, tc.id, err)
		}
	}
	good, err := schema.NewCheck(job, "sns", "m1")
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"unknown field":  strings.Replace(string(good), `"provider"`, `"extra":1,"provider"`, 1),
		"trailing data":  string(good) + "{}",
		"altered job":    strings.Replace(string(good), `"locale":"en"`, `"locale":"en","x":1`, 1),
		"not an object":  `[3]`,
		"job not a v1":   `{"version":3,"job":{"version":2},"provider":"sns","providerMessageId":"m1"}`,
		"no job":         `{"version":3,"provider":"sns","providerMessageId":"m1"}`,
		"oversized body": `{"version":3,"provider":"` + strings.Repeat("a", schema.MaxMessageBytes) + `"}`,
	}
	for name, b := range bodies {
		if _, _, err := schema.DecodeCheck([]byte(b)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
