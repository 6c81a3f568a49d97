package deploy_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

// The local stack's embedded pool settings are template.yaml's defaults:
// otp-local without --template runs what `sam deploy` deploys.
func TestLocalStackDefaultsAreTheTemplates(t *testing.T) {
	got, err := localstack.ReadTemplate(templatePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(localstack.DefaultPoolSettings(), got); d != "" {
		t.Errorf("localstack.DefaultPoolSettings differs from %s (-embedded +template):\n%s", templatePath, d)
	}
}

// A parameter override reaches the local pool as it reaches the deployed one.
func TestLocalStackTemplateOverrides(t *testing.T) {
	got, err := localstack.ReadTemplate(templatePath, map[string]string{"CodeTtlMinutes": "7"})
	if err != nil {
		t.Fatal(err)
	}
	if got.AuthSessionValidity != 7*time.Minute {
		t.Errorf("AuthSessionValidity with CodeTtlMinutes=7 = %s, want 7m", got.AuthSessionValidity)
	}
	if _, err := localstack.ReadTemplate(templatePath, map[string]string{"CodeTtlMinutes": "16"}); err == nil || !strings.Contains(err.Error(), "CodeTtlMinutes") {
		t.Errorf("CodeTtlMinutes=16 (above MaxValue) = %v, want an error naming it", err)
	}
}

// The sign-up everyone documents sends no attribute, so WriteAttributes
// need not (and must not) include the number or its verified flag.
func TestNoVerifiedOrPhoneWrite(t *testing.T) {
	ps, err := localstack.ReadTemplate(templatePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ps.WriteAttributes == nil {
		t.Fatal("WriteAttributes unset: Cognito would let every client write phone_number")
	}
	for _, a := range []string{"phone_number", "phone_number_verified", "email", "email_verified"} {
		if slices.Contains(ps.WriteAttributes, a) {
			t.Errorf("WriteAttributes %v include %s", ps.WriteAttributes, a)
		}
	}
}

// The sign-ups docs/app-developers.md shows write no attribute the app
// client may not write: each would fail on a deployed pool with
// NotAuthorizedException.
func TestDocumentedSignUpsWriteNoPhoneNumber(t *testing.T) {
	data, err := os.ReadFile("../docs/app-developers.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(data), "```")
	seen := 0
	for i := 1; i < len(blocks); i += 2 { // odd parts are inside fences
		block := blocks[i]
		if !strings.Contains(block, "signUp") && !strings.Contains(block, "SignUp") {
			continue
		}
		seen++
		for _, line := range strings.Split(block, "\n") {
			code, _, _ := strings.Cut(line, "//")
			if strings.Contains(code, "phone_number") || strings.Contains(code, "phoneNumber") {
				t.Errorf("a documented sign-up writes the phone number (not in WriteAttributes):\n%s", line)
			}
		}
	}
	if seen < 3 {
		t.Errorf("found %d code blocks with a sign-up in app-developers.md, want the JavaScript, Go and Swift ones at least", seen)
	}
}
