package plan_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/plan"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/plan/internal/metagen"
)

// The committed tables are what the generator makes from the plan linked
// into this test: after an upgrade of nyaruka/phonenumbers that changes the
// plan, this fails until `go generate ./phone/plan` is run (and package
// phone's parity tests then say whether the port still agrees).
func TestMetadataIsGenerated(t *testing.T) {
	p, err := metagen.Derive()
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Source()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("metadata.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("metadata.go is not what the plan generates; run go generate ./phone/plan")
	}
	t.Logf("plan: %d calling codes, %d territories, %d patterns, %d bytes of source", len(p.CallingCodes), len(p.Territories), len(p.Patterns), len(got))
}

func TestTypesArePhonenumbers(t *testing.T) {
	for _, tc := range []struct {
		ours   plan.Type
		theirs phonenumbers.PhoneNumberType
		name   string
	}{
		{plan.FixedLine, phonenumbers.FIXED_LINE, "FIXED_LINE"},
		{plan.Mobile, phonenumbers.MOBILE, "MOBILE"},
		{plan.FixedLineOrMobile, phonenumbers.FIXED_LINE_OR_MOBILE, "FIXED_LINE_OR_MOBILE"},
		{plan.TollFree, phonenumbers.TOLL_FREE, "TOLL_FREE"},
		{plan.PremiumRate, phonenumbers.PREMIUM_RATE, "PREMIUM_RATE"},
		{plan.SharedCost, phonenumbers.SHARED_COST, "SHARED_COST"},
		{plan.VoIP, phonenumbers.VOIP, "VOIP"},
		{plan.PersonalNumber, phonenumbers.PERSONAL_NUMBER, "PERSONAL_NUMBER"},
		{plan.Pager, phonenumbers.PAGER, "PAGER"},
		{plan.UAN, phonenumbers.UAN, "UAN"},
		{plan.Voicemail, phonenumbers.VOICEMAIL, "VOICEMAIL"},
		{plan.Unknown, phonenumbers.UNKNOWN, "UNKNOWN"},
		{plan.Type(200), phonenumbers.UNKNOWN, "UNKNOWN"},
	} {
		if tc.ours.String() != tc.name || (tc.ours <= plan.Unknown && int(tc.ours) != int(tc.theirs)) {
			t.Errorf("%d %s: phonenumbers' %d %s", tc.ours, tc.ours, tc.theirs, tc.name)
		}
	}
}

// Parse's input is what package phone lets through; anything else is not
// a number, not a guess.
func TestParseRefusesOtherInput(t *testing.T) {
	for _, s := range []string{"", "14155550123", "+1 415 555 0123 ext 1", "+1415555012a", "+１4155550123", "tel:+14155550123", "+1+4155550123"} {
		if _, err := plan.Parse(s); err != plan.ErrNotANumber {
			t.Errorf("Parse(%q) error %v, want ErrNotANumber", s, err)
		}
	}
}
