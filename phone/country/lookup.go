package country

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

//go:generate go run ./gen -o callingcodes.go

type callingCode struct {
	code    uint16
	region  string
	lengths uint32
}

type prefix struct {
	code   uint16
	digits string
	length uint8 // 0: any
	region string
}

// Reasons Of refuses a number.
var (
	// ErrNotE164 means the number is not '+' and digits, with a calling
	// code the plan knows and a national number of a length its regions use.
	ErrNotE164 = errors.New("not an E.164 number of the numbering plan")
	// ErrNoCountry means the calling code belongs to no country (+800,
	// +808, +870, +881, +882, +883, +888, +979).
	ErrNoCountry = errors.New("number belongs to no country")
)

// Of returns the region of a number in E.164 ("+14155550123") without the
// numbering plan: the calling code's region, or, where several regions
// share the code (+1, +7, +44, +47, +61, +262, +290, +358, +39, +590,
// +599), the one its digits decide (a generated table; go generate).
//
// For every number phonenumbers judges valid, Of gives exactly
// phonenumbers.GetRegionCodeForNumber (a test proves it on every region's
// example numbers and on random valid numbers). Of does not judge
// validity: for a number the plan calls invalid it still names a region of
// that calling code (where phonenumbers may name none), so an allow-list
// applied to Of's answer never lets in a region it does not list.
func Of(e164 string) (string, error) {
	digits, ok := strings.CutPrefix(e164, "+")
	if !ok || !charclass.Digits.Match(digits, 1, len(digits)) {
		return "", fmt.Errorf("%w: must be '+' and digits only", ErrNotE164)
	}
	cc, national, ok := splitCallingCode(digits)
	if !ok {
		return "", fmt.Errorf("%w: unknown country calling code", ErrNotE164)
	}
	if cc.region == "" {
		return "", ErrNoCountry
	}
	if n := len(national); n > maxNational || cc.lengths&(1<<n) == 0 {
		return "", fmt.Errorf("%w: national number of %d digits, a length no region of +%d uses", ErrNotE164, n, cc.code)
	}
	return regionOf(cc, national), nil
}

// SplitCallingCode splits ASCII digits (a number without its '+') into
// its calling code and national number as phonenumbers' extractCountryCode
// does: the first of the one-, two- and three-digit prefixes that is a
// calling code of the plan (no calling code starts another, none starts
// with 0). It is package plan's rule too.
func SplitCallingCode(digits string) (code int, national string, ok bool) {
	cc, national, ok := splitCallingCode(digits)
	return int(cc.code), national, ok
}

// splitCallingCode is SplitCallingCode with the code's entry.
func splitCallingCode(digits string) (callingCode, string, bool) {
	if digits == "" || digits[0] == '0' {
		return callingCode{}, "", false
	}
	code := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		code = code*10 + int(digits[i]-'0')
		j, found := slices.BinarySearchFunc(callingCodes[:], code, func(c callingCode, code int) int { return int(c.code) - code })
		if found {
			return callingCodes[j], digits[i+1:], true
		}
	}
	return callingCode{}, "", false
}

// regionOf is the region a prefix of cc names for national, or cc's own.
// At most one prefix matches (the generator makes them so).
func regionOf(cc callingCode, national string) string {
	first, _ := slices.BinarySearchFunc(prefixes[:], cc.code, func(p prefix, code uint16) int { return int(p.code) - int(code) })
	for _, p := range prefixes[first:] {
		if p.code != cc.code {
			break
		}
		if strings.HasPrefix(national, p.digits) && (p.length == 0 || int(p.length) == len(national)) {
			return p.region
		}
	}
	return cc.region
}

// ParseList parses a comma-separated list of ISO 3166 alpha-2 region codes
// such as "IN,US" (spaces around entries are ignored, case is folded) into
// upper-case codes, duplicates dropped. An empty or all-space s gives nil,
// meaning every country. An empty entry ("IN,,US", a trailing comma) or a
// code the numbering plan does not know (Known) is an error naming the entry.
func ParseList(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	for i, entry := range strings.Split(s, ",") {
		code := strings.ToUpper(strings.TrimSpace(entry))
		switch {
		case code == "":
			return nil, fmt.Errorf("country list: entry %d is empty", i+1)
		case code == "UK":
			return nil, fmt.Errorf("country list: entry %d %q: not an ISO 3166 code, use GB", i+1, code)
		case !Known(code):
			return nil, fmt.Errorf("country list: entry %d %q: not a region code known to the numbering plan", i+1, truncate(code, 8))
		}
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
