package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

// Accounts registered before PreSignUp required canonical E.164 can hold one
// phone twice (finding 2 of the adversarial run); -duplicates lists them,
// masked, and changes nothing.
func TestDuplicates(t *testing.T) {
	srv := fakecognito.New(t, fakecognito.WithPageSize(2))
	user := func(name, number string) fakecognito.User {
		return fakecognito.User{Username: name, Status: "CONFIRMED", Created: created, Attributes: map[string]string{"phone_number": number}}
	}
	srv.AddPool(fakecognito.Pool{ID: poolID, Users: []fakecognito.User{
		user("a-canonical", "+33612345678"),
		user("b-leading-zero", "+330612345678"),
		user("c-alone", "+14155550123"),
		user("d-separators", "+1 415-555-0199"),
		{Username: "e-nophone", Status: "CONFIRMED", Created: created, Attributes: map[string]string{"email": "x@example.com"}},
	}})
	connect := func(context.Context, string, string) (userpool.API, error) { return srv.Client(), nil }
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-pool-id", poolID, "-duplicates"}, &stdout, &stderr, connect); code != exitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"number " + phone.Mask("+33612345678") + ": 2 user(s)",
		"  user=a-canonical phone=" + phone.Mask("+33612345678") + " created=2024-05-01T12:00:00Z\n",
		"  user=b-leading-zero phone=" + phone.Mask("+330612345678") + " created=2024-05-01T12:00:00Z  (not canonical E.164)",
		"number " + phone.Mask("+14155550199") + ": 1 user(s)",
		"  user=d-separators phone=" + phone.Mask("+1 415-555-0199"),
		"summary: 4 user(s) with a phone number; 2 number(s) held by more than one user or not in canonical form; 2 user(s) not in canonical form; nothing was changed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "c-alone") {
		t.Errorf("a canonical number held once is listed:\n%s", out)
	}
	for _, digits := range []string{"612345678", "4155550123", "4155550199"} {
		if strings.Contains(out+stderr.String(), digits) {
			t.Errorf("output contains a full number (%s):\n%s", digits, out)
		}
	}
	if n := len(srv.CallsTo("AdminConfirmSignUp")) + len(srv.CallsTo("AdminUpdateUserAttributes")); n != 0 {
		t.Errorf("%d changes made by a listing", n)
	}
	if code := run(context.Background(), []string{"-pool-id", poolID, "-duplicates", "-apply"}, &stdout, &stderr, connect); code != exitRefused {
		t.Errorf("-duplicates with -apply: exit code %d, want %d", code, exitRefused)
	}
}
