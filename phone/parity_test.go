package phone

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/plan"
)

// The tests in this file prove that Parse, which judges numbers with
// package plan, gives exactly what it gave when it called
// github.com/nyaruka/phonenumbers (parseWithPhonenumbers, the code it
// replaced): on every outcome, for example numbers of every region and
// type, national prefixes, leading zeros, separators, random digits of
// every calling code and length, and a fuzz target. A difference fails.

// outcome is everything Parse's judgement rests on, and Parse's answer
// under two policies.
type outcome struct {
	facts
	Strict, VoIP string // Parse's Number or error text
}

// facts are what the plan says of a number Parse lets through to it.
type facts struct {
	Refused                      string // Parse's error before the plan is asked
	Input                        string // raw without surrounding spaces
	ParseErr, E164, Region, Type string
	Valid                        bool
}

var voipPolicy = Policy{AllowVoIP: true}

func show(n Number, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%+v", n)
}

// withPhonenumbers is the outcome as phonenumbers judges raw.
func withPhonenumbers(raw string) outcome {
	f := phonenumbersFacts(raw)
	return outcome{f, show(decide(Policy{}, f)), show(decide(voipPolicy, f))}
}

// withPlan is the outcome as package plan and Parse judge raw.
func withPlan(raw string) outcome {
	o := outcome{Strict: show(Parse(Policy{}, raw)), VoIP: show(Parse(voipPolicy, raw))}
	s, reason := precheck(raw)
	if reason != nil {
		o.Refused = reason.Error()
		return o
	}
	o.Input = s
	num, err := plan.Parse(s)
	if err != nil {
		o.ParseErr = err.Error()
		return o
	}
	o.E164 = num.E164()
	o.Valid = num.Valid()
	o.Region = num.Region()
	o.Type = num.Type().String()
	return o
}

func checkParity(t *testing.T, raw string) outcome {
	t.Helper()
	want, got := withPhonenumbers(raw), withPlan(raw)
	if got != want {
		t.Errorf("%q:\n plan         %+v\n phonenumbers %+v", raw, got, want)
	}
	return got
}

// The rest of this file up to the tests is Parse as it was with
// phonenumbers, split in two so that a test asks phonenumbers once per
// number: precheck and phonenumbersFacts, then decide under a policy.

func precheck(raw string) (string, error) {
	if len(raw) > MaxInputLen {
		return "", fmt.Errorf("parse phone: input is %d bytes, longer than %d: %w", len(raw), MaxInputLen, ErrInvalid)
	}
	s := strings.TrimSpace(raw)
	if reason := checkChars(s); reason != "" {
		return "", fmt.Errorf("parse phone %s: %s: %w", Mask(s), reason, ErrInvalid)
	}
	return s, nil
}

func phonenumbersFacts(raw string) facts {
	s, err := precheck(raw)
	if err != nil {
		return facts{Refused: err.Error()}
	}
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		return facts{Input: s, ParseErr: err.Error()}
	}
	region := phonenumbers.GetRegionCodeForNumber(num)
	return facts{
		Input:  s,
		E164:   phonenumbers.Format(num, phonenumbers.E164),
		Region: region,
		// IsValidNumber is exactly this; asked so, the region is found once.
		Valid: phonenumbers.IsValidNumberForRegion(num, region),
		Type:  referenceTypeName(phonenumbers.GetNumberType(num)),
	}
}

func decide(p Policy, f facts) (Number, error) {
	switch {
	case f.Refused != "":
		return Number{}, errors.New(f.Refused)
	case f.ParseErr != "":
		// Parse named the reason by the error phonenumbers returned.
		return Number{}, fmt.Errorf("parse phone %s: %s: %w", Mask(f.Input), referenceParseReason(f.ParseErr), ErrInvalid)
	}
	masked := Mask(f.E164)
	if !f.Valid {
		return Number{}, fmt.Errorf("parse phone %s: not a valid number: %w", masked, ErrInvalid)
	}
	if !phonenumbers.GetSupportedRegions()[f.Region] {
		return Number{}, fmt.Errorf("parse phone %s: number belongs to no country: %w", masked, ErrCountryNotAllowed)
	}
	if !p.Allows(f.Region) {
		return Number{}, fmt.Errorf("parse phone %s: country %s: %w", masked, f.Region, ErrCountryNotAllowed)
	}
	switch f.Type {
	case "MOBILE", "FIXED_LINE_OR_MOBILE":
	case "VOIP":
		if !p.AllowVoIP {
			return Number{}, fmt.Errorf("parse phone %s: type %s: %w", masked, f.Type, ErrTypeNotAllowed)
		}
	default:
		return Number{}, fmt.Errorf("parse phone %s: type %s: %w", masked, f.Type, ErrTypeNotAllowed)
	}
	return Number{E164: f.E164, Region: f.Region, Type: f.Type}, nil
}

// referenceTypeNames is how Parse named phonenumbers' types.
var referenceTypeNames = map[phonenumbers.PhoneNumberType]string{
	phonenumbers.FIXED_LINE:           "FIXED_LINE",
	phonenumbers.MOBILE:               "MOBILE",
	phonenumbers.FIXED_LINE_OR_MOBILE: "FIXED_LINE_OR_MOBILE",
	phonenumbers.TOLL_FREE:            "TOLL_FREE",
	phonenumbers.PREMIUM_RATE:         "PREMIUM_RATE",
	phonenumbers.SHARED_COST:          "SHARED_COST",
	phonenumbers.VOIP:                 "VOIP",
	phonenumbers.PERSONAL_NUMBER:      "PERSONAL_NUMBER",
	phonenumbers.PAGER:                "PAGER",
	phonenumbers.UAN:                  "UAN",
	phonenumbers.VOICEMAIL:            "VOICEMAIL",
	phonenumbers.UNKNOWN:              "UNKNOWN",
}

func referenceTypeName(t phonenumbers.PhoneNumberType) string {
	if n, ok := referenceTypeNames[t]; ok {
		return n
	}
	return "UNKNOWN"
}

func referenceParseReason(text string) string {
	switch text {
	case phonenumbers.ErrInvalidCountryCode.Error():
		return "unknown country calling code"
	case phonenumbers.ErrTooShortNSN.Error(), phonenumbers.ErrTooShortAfterIDD.Error():
		return "too short"
	case phonenumbers.ErrNumTooLong.Error():
		return "too long"
	default:
		return "not a number"
	}
}

var allTypes = []phonenumbers.PhoneNumberType{
	phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE, phonenumbers.TOLL_FREE,
	phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
	phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL,
}

// examples are every region's (and non-geographical entity's) example
// number of every type, as "+<code>" and the national number, with the
// region's national prefix ("" if none).
type example struct {
	code         int
	national, np string
	region, typ  string
}

func examples() []example {
	var out []example
	for _, region := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions())) {
		np := phonenumbers.GetNddPrefixForRegion(region, true)
		for _, typ := range allTypes {
			if num := phonenumbers.GetExampleNumberForType(region, typ); num != nil {
				out = append(out, example{int(num.GetCountryCode()), phonenumbers.GetNationalSignificantNumber(num), np, region, referenceTypeName(typ)})
			}
		}
	}
	for _, cc := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedGlobalNetworkCallingCodes())) {
		if num := phonenumbers.GetExampleNumberForNonGeoEntity(cc); num != nil {
			out = append(out, example{cc, phonenumbers.GetNationalSignificantNumber(num), "", "001", ""})
		}
	}
	return out
}

func TestParityExampleNumbers(t *testing.T) {
	exs := examples()
	valid, accepted := 0, 0
	for _, ex := range exs {
		cc := "+" + strconv.Itoa(ex.code)
		o := checkParity(t, cc+ex.national)
		if o.Valid {
			valid++
		}
		if !strings.HasPrefix(o.Strict, "error") {
			accepted++
		}
		// Typed as at home, the national prefix after the calling code:
		// "+33 0612345678", "+44 (0)20 ...".
		if ex.np != "" {
			checkParity(t, cc+ex.np+ex.national)
			checkParity(t, cc+" ("+ex.np+")"+ex.national)
		}
		// Grouped as people type them.
		checkParity(t, cc+" "+group(ex.national, 3, " "))
		checkParity(t, cc+"-("+ex.national[:min(3, len(ex.national))]+")-"+group(ex.national[min(3, len(ex.national)):], 4, "."))
	}
	t.Logf("%d example numbers (%d valid, %d accepted by the default policy), each also with its national prefix and separators, agree with phonenumbers", len(exs), valid, accepted)
	if valid < 1000 {
		t.Errorf("only %d valid example numbers", valid)
	}
}

func group(s string, n int, sep string) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), sep)
}

// Inputs the random test may not reach: short, long, unknown calling codes,
// leading zeros (Italy keeps them; so do +225 and others), national
// prefixes that a transform rule rewrites, separators everywhere.
func TestParityEdgeCases(t *testing.T) {
	for _, raw := range []string{
		"", " ", "+", "++1", "+ ", "+(", "+1", "+12", "+123", "+1 2 3", "+-1-2-3-", "+()",
		"+0", "+01", "+012345678", "+0041 79 123 4567", "+014155550123",
		"+999 1234 5678", "+970", "+979 123456789", "+800 1234 5678", "+80012345678", "+882 123456789", "+888 123456",
		"+1 415 555 0123", "+1 (415) 555-0123", "+1 415 555 01234", "+1 555 0123", "+1 41 55 55 01 23 45 67 89",
		"+12345678901234567890", "+123456789012345678901234567890", "+44 " + strings.Repeat("7", 17), "+44 " + strings.Repeat("7", 18),
		"+39 06 6982 0000", "+39 0669820000", "+390", "+3900", "+39 000", "+39 0000000", "+39 00000000000", "+39 012345", "+39 3123456789",
		"+39 335 123 4567", "+225 01 23 45 6789", "+225 0123456789", "+242 06 123 4567", "+241 06 03 12 34", "+228 0", "+378 0549 123456",
		"+33 0612345678", "+330612345678", "+33 (0)6 12 34 56 78", "+44 (0)7400 123456", "+44 0 7400 123456", "+49 0 30 123456",
		"+7 8 912 345 67 89", "+7 89123456789", "+54 9 11 1234 5678", "+54 011 15 1234 5678", "+54 0 11 15 2345 6789", "+52 1 55 1234 5678",
		"+52 044 55 1234 5678", "+55 0 11 91234 5678", "+55 015 11 91234 5678", "+57 03 321 1234567", "+61 0 412 345 678", "+61 0011 412 345 678",
		"+351 912 345 678", "+86 0 10 1234 5678", "+86 13812345678", "+91 0 98765 43210", "+62 0812 3456 789", "+84 0 91 234 56 78",
		"+1 876 210 1234", "+1 8 876 210 1234", "+1 1 415 555 0123", "+1 (415)5550123", "+1.415.555.0123.", "+1-415-555-0123-",
		"+44 7911 123456", "+44 1481 123456", "+44 1624 123456", "+44 1534 123456", "+590 690 00 12 34", "+262 692 12 34 56",
		"+262 269 61 12 34", "+290 6000", "+290 22158", "+47 79 12 34 56", "+358 18 1234567", "+599 9 123 4567", "+599 7 123 4567",
		"+212 528 123456", "+212 5288 12345", "+61 8 9162 1234", "+61 89164 1234", "+7 7012345678", "+7 (701) 234-56-78",
		"  +1 415 555 0123  ", "\t+44 7400 123456\n", "+1 415 555 0123 x12", "+1 415 555 0123#",
	} {
		checkParity(t, raw)
	}
}

// Random digits: for every calling code of the plan and every national
// length from 1 to 17 (and a few longer), numbers made of random digits,
// half of them starting like one of the code's example numbers so that the
// sparse plans give valid numbers too, some with the national prefix or
// separators. Seeded. `go test ./phone` checks about 400,000; the race
// detector makes both sides' regular expressions about 20 times slower
// (200,000 took two minutes), so under -race (scripts/test) and -short the
// same sweep checks about 30,000.
func TestParityRandomNumbers(t *testing.T) {
	perLength, wantAtLeast := 110, 400_000
	if testing.Short() || raceEnabled {
		perLength, wantAtLeast = 8, 29_000
	}
	rng := rand.New(rand.NewPCG(12, 2027))
	starts := map[int][]string{}
	prefixes := map[int][]string{}
	for _, ex := range examples() {
		starts[ex.code] = append(starts[ex.code], ex.national)
		if ex.np != "" && !slices.Contains(prefixes[ex.code], ex.np) {
			prefixes[ex.code] = append(prefixes[ex.code], ex.np)
		}
	}
	n, valid := 0, 0
	validPerCode := map[int]int{}
	for _, cc := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedCallingCodes())) {
		code := strconv.Itoa(cc)
		for length := 1; length <= 20; length++ {
			count := perLength
			if length > 17 {
				count = 3
			}
			for range count {
				national := randomNational(rng, starts[cc], length)
				if ps := prefixes[cc]; len(ps) > 0 && rng.IntN(8) == 0 {
					national = ps[rng.IntN(len(ps))] + national
				}
				raw := "+" + code + national
				if rng.IntN(4) == 0 {
					raw = scatter(rng, raw)
				}
				if len(raw) > MaxInputLen {
					raw = "+" + code + national
				}
				if checkParity(t, raw).Valid {
					valid++
					validPerCode[cc]++
				}
				n++
			}
		}
	}
	t.Logf("%d random numbers (%d valid, of %d calling codes) agree with phonenumbers", n, valid, len(validPerCode))
	if n < wantAtLeast {
		t.Errorf("only %d numbers", n)
	}
	for _, cc := range []int{1, 7, 33, 39, 44, 49, 61, 86, 91, 262, 590, 599} {
		if validPerCode[cc] == 0 {
			t.Errorf("no valid number of calling code +%d", cc)
		}
	}
}

func randomNational(rng *rand.Rand, starts []string, length int) string {
	b := make([]byte, 0, length)
	if len(starts) > 0 && rng.IntN(2) == 0 {
		s := starts[rng.IntN(len(starts))]
		b = append(b, s[:rng.IntN(min(len(s), length)+1)]...)
	}
	for len(b) < length {
		b = append(b, byte('0'+rng.IntN(10)))
	}
	return string(b)
}

// scatter puts separators between the characters of s.
func scatter(rng *rand.Rand, s string) string {
	const seps = " -.()"
	var b strings.Builder
	for i := range len(s) {
		b.WriteByte(s[i])
		if rng.IntN(3) == 0 {
			b.WriteByte(seps[rng.IntN(len(seps))])
		}
	}
	return b.String()
}

func FuzzParseMatchesPhonenumbers(f *testing.F) {
	for _, s := range []string{"+14155550123", "+44 (0)7400 123456", "+39 06 6982 0000", "+330612345678", "+7 8 912 345 67 89",
		"+54 9 11 1234 5678", "+881612345678", "+999 123", "+1", "", "+0", "+44 56 1234 5678", "+262 269 61 12 34"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParity(t, s)
		// Most inputs stop at checkChars; the same bytes read as digits and
		// separators reach the plan.
		if len(s) < MaxInputLen {
			checkParity(t, inAlphabet(s))
		}
	})
}

// inAlphabet maps each byte of s to a digit or separator, after a '+'.
func inAlphabet(s string) string {
	const alphabet = "0123456789012345678901234 -.()"
	b := []byte("+" + s)
	for i := 1; i < len(b); i++ {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
