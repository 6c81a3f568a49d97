package country_test

import (
	"bytes"
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country/internal/plangen"
)

// The committed table is what the generator makes from the plan linked
// into this test: after an upgrade of nyaruka/phonenumbers that changes
// the plan, this fails until `go generate ./phone/country` is run.
func TestTableIsGenerated(t *testing.T) {
	tbl, err := plangen.Derive()
	if err != nil {
		t.Fatal(err)
	}
	want, err := tbl.Source()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("callingcodes.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("callingcodes.go is not what the plan generates; run go generate ./phone/country")
	}
	t.Logf("table: %d calling codes, %d prefixes, %d bytes of source", len(tbl.Codes), len(tbl.Prefixes), len(got))
}

// checkValid fails the test unless Of names num's region as phonenumbers
// does; num must be valid.
func checkValid(t *testing.T, num *phonenumbers.PhoneNumber, what string) {
	t.Helper()
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	want := phonenumbers.GetRegionCodeForNumber(num)
	if want == "001" {
		if _, err := country.Of(e164); !errors.Is(err, country.ErrNoCountry) {
			t.Errorf("%s %s: Of error %v, want ErrNoCountry", what, e164, err)
		}
		return
	}
	if got, err := country.Of(e164); got != want || err != nil {
		t.Errorf("%s %s: Of = %q, %v; phonenumbers says %q", what, e164, got, err, want)
	}
}

var numberTypes = []phonenumbers.PhoneNumberType{
	phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
	phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
	phonenumbers.UAN, phonenumbers.VOICEMAIL,
}

func TestOfExampleNumbers(t *testing.T) {
	n := 0
	for _, region := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions())) {
		for _, typ := range numberTypes {
			num := phonenumbers.GetExampleNumberForType(region, typ)
			if num == nil || !phonenumbers.IsValidNumber(num) {
				continue
			}
			checkValid(t, num, region+" example")
			n++
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if num := phonenumbers.GetExampleNumberForNonGeoEntity(cc); num != nil && phonenumbers.IsValidNumber(num) {
			checkValid(t, num, "+"+strconv.Itoa(cc)+" example")
			n++
		}
	}
	t.Logf("%d example numbers (every region, every type) agree with phonenumbers", n)
	if n < 1000 {
		t.Errorf("only %d example numbers", n)
	}
}

// Random numbers, seeded: each calling code's digits at random, half of
// them starting like one of its regions' example numbers so that the
// sparse plans yield valid numbers too. Every valid one must get
// phonenumbers' region; every invalid one that parses must get a region of
// its calling code, or a refusal.
func TestOfRandomNumbers(t *testing.T) {
	// The race detector makes the plan's regular expressions ten times
	// slower: scripts/test (-race) checks 20,000, go test 200,000.
	wantValid := 200_000
	if testing.Short() || raceEnabled {
		wantValid = 20_000
	}
	rng := rand.New(rand.NewPCG(12, 2026))
	var codes []int
	var examples = map[int][]string{}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		if len(regions) == 0 || regions[0] == "001" {
			continue
		}
		codes = append(codes, cc)
		for _, r := range regions {
			for _, typ := range numberTypes {
				if num := phonenumbers.GetExampleNumberForType(r, typ); num != nil {
					examples[cc] = append(examples[cc], phonenumbers.GetNationalSignificantNumber(num))
				}
			}
		}
	}
	slices.Sort(codes)
	valid, invalid, tries := 0, 0, 0
	perCode := map[int]int{}
	for valid < wantValid && tries < 50*wantValid {
		tries++
		cc := codes[rng.IntN(len(codes))]
		digits := randomNational(rng, examples[cc])
		raw := "+" + strconv.Itoa(cc) + digits
		num, err := phonenumbers.Parse(raw, "")
		if err != nil {
			continue
		}
		if phonenumbers.IsValidNumber(num) {
			valid++
			perCode[cc]++
			checkValid(t, num, "random")
			continue
		}
		e164 := phonenumbers.Format(num, phonenumbers.E164)
		region, err := country.Of(e164)
		if err == nil && !slices.Contains(phonenumbers.GetRegionCodesForCountryCode(cc), region) {
			t.Errorf("invalid %s: Of = %q, not a region of +%d", e164, region, cc)
		}
		invalid++
	}
	t.Logf("%d random valid numbers (%d calling codes) agree with phonenumbers; %d invalid ones named a region of their calling code or were refused (%d tries)",
		valid, len(perCode), invalid, tries)
	if valid < wantValid {
		t.Errorf("only %d valid numbers in %d tries", valid, tries)
	}
	for _, cc := range []int{1, 7, 39, 44, 47, 61, 212, 262, 290, 358, 590, 599} {
		if perCode[cc] == 0 {
			t.Errorf("no valid number of shared calling code +%d", cc)
		}
	}
}

func randomNational(rng *rand.Rand, examples []string) string {
	n := 4 + rng.IntN(9)
	var b []byte
	if len(examples) > 0 && rng.IntN(2) == 0 {
		ex := examples[rng.IntN(len(examples))]
		n = len(ex)
		b = append(b, ex[:rng.IntN(len(ex))]...)
	}
	for len(b) < n {
		b = append(b, byte('0'+rng.IntN(10)))
	}
	return string(b)
}

func TestOfRefuses(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", country.ErrNotE164},
		{"+", country.ErrNotE164},
		{"14155550123", country.ErrNotE164},
		{"+1 415 555 0123", country.ErrNotE164},
		{"+1415555012a", country.ErrNotE164},
		{"+١٤١٥٥٥٥٠١٢٣", country.ErrNotE164},
		{"+0123456789", country.ErrNotE164},
		{"+014155550123", country.ErrNotE164}, // no calling code starts with 0: not +1
		{"+2", country.ErrNotE164},
		{"+1", country.ErrNotE164},
		{"+141555501", country.ErrNotE164},            // 9 digits: NANP numbers have 10 (7 local)
		{"+999123456789", country.ErrNotE164},         // no such calling code
		{"+44123456789012345678", country.ErrNotE164}, // longer than any national number
		{"+80012345678", country.ErrNoCountry},
		{"+882123456789", country.ErrNoCountry},
	} {
		if got, err := country.Of(tc.in); !errors.Is(err, tc.want) || got != "" {
			t.Errorf("Of(%q) = %q, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestOf(t *testing.T) {
	for in, want := range map[string]string{
		"+14155550123":  "US",
		"+16135550123":  "CA",
		"+18095550123":  "DO",
		"+13102000":     "CA", // a 7-digit Canadian number inside a US area code
		"+447400123456": "GB",
		"+447781123456": "GG",
		"+79123456789":  "RU",
		"+77012345678":  "KZ",
		"+33612345678":  "FR",
		"+919876543210": "IN",
		"+2906000":      "TA",
		"+29022158":     "SH",
		// Invalid, yet named by the calling code: +1 555 is no area code.
		"+15555550100": "US",
	} {
		if got, err := country.Of(in); got != want || err != nil {
			t.Errorf("Of(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
