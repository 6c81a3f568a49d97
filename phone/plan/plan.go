package plan

import (
	"errors"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
)

//go:generate go run ./gen -o metadata.go

// The limits phonenumbers parses within (MIN_LENGTH_FOR_NSN,
// MAX_LENGTH_FOR_NSN).
const (
	minLengthForNSN = 2
	maxLengthForNSN = 17
)

// Parse errors, phonenumbers' own.
var (
	ErrNotANumber         = errors.New("the phone number supplied is not a number")
	ErrInvalidCountryCode = errors.New("invalid country code")
	ErrTooShortAfterIDD   = errors.New("phone number had an IDD, but after this was not long enough to be a viable phone number")
	ErrTooShortNSN        = errors.New("the string supplied is too short to be a phone number")
	ErrNumTooLong         = errors.New("the string supplied is too long to be a phone number")
)

// Number is a parsed number: phonenumbers' PhoneNumber as Parse fills it
// for a number in international form (no extension, no raw input).
type Number struct {
	CountryCode int
	// National is the national significant number, leading zeros included
	// (GetNationalSignificantNumber).
	National string
}

// Parse is phonenumbers.Parse(s, "") for s a '+' followed by Typed: what
// package phone lets through. Any other input is ErrNotANumber (phonenumbers
// would read some of it, but no caller gives it).
func Parse(s string) (Number, error) {
	// parseHelper: buildNationalNumberForParsing and extractPossibleNumber
	// keep such an input whole (it starts with '+', has no ";phone-context=",
	// and UNWANTED_END_CHARS, as Go reads it, needs an '&'); no extension
	// pattern matches without a letter, '#', ',' or ';'.
	digits, ok := digitsOf(s)
	if !ok {
		return Number{}, ErrNotANumber
	}
	// isViablePhoneNumber: VALID_PHONE_NUMBER_PATTERN wants three digits.
	if len(s) < minLengthForNSN || len(digits) < 3 {
		return Number{}, ErrNotANumber
	}
	// maybeExtractCountryCode, after maybeStripInternationalPrefixAndNormalize
	// consumed the '+' and kept the digits.
	if len(digits) <= minLengthForNSN {
		return Number{}, ErrTooShortAfterIDD
	}
	// extractCountryCode; parseHelper's retry without the '+' finds no
	// calling code either (no default region).
	cc, national, ok := country.SplitCallingCode(digits)
	if !ok {
		return Number{}, ErrInvalidCountryCode
	}
	if len(national) < minLengthForNSN {
		return Number{}, ErrTooShortNSN
	}
	// parseHelper: strip a national prefix by the main territory's rules,
	// keeping the result only if it has a possible length.
	if main := mainTerritory(cc); main != nil {
		if stripped, ok := main.maybeStripNationalPrefixAndCarrierCode(national); ok {
			switch main.testNumberLength(stripped) {
			case tooShort, isPossibleLocalOnly, invalidLength:
			default:
				national = stripped
			}
		}
	}
	switch {
	case len(national) < minLengthForNSN:
		return Number{}, ErrTooShortNSN
	case len(national) > maxLengthForNSN:
		return Number{}, ErrNumTooLong
	}
	return Number{CountryCode: cc, National: getNationalSignificantNumber(national)}, nil
}

// Typed is what Parse reads after the '+': ASCII digits and the separators
// ' ', '-', '.', '(' and ')'.
var Typed = charclass.New("0-9 ().-")

// digitsOf returns the ASCII digits of s if s is '+' and Typed only.
func digitsOf(s string) (string, bool) {
	if s == "" || s[0] != '+' {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case charclass.Digits.Has(c):
			b.WriteByte(c)
		case !Typed.Has(c):
			return "", false
		}
	}
	return b.String(), true
}

// getNationalSignificantNumber is what phonenumbers gives back for a
// national number it parsed: setItalianLeadingZerosForPhoneNumber counts
// the leading zeros (all but the last digit), the rest is kept as a uint64,
// and GetNationalSignificantNumber writes the zeros (at least one when
// flagged) before the uint64's digits.
func getNationalSignificantNumber(national string) string {
	zeros := 0
	if len(national) >= 2 && national[0] == '0' {
		zeros = 1
		for zeros < len(national)-1 && national[zeros] == '0' {
			zeros++
		}
	}
	v, _ := strconv.ParseUint(national, 10, 64)
	return strings.Repeat("0", zeros) + strconv.FormatUint(v, 10)
}

// E164 is Format(n, E164).
func (n Number) E164() string {
	return "+" + strconv.Itoa(n.CountryCode) + n.National
}

// Region is GetRegionCodeForNumber: a region code, "001" for a calling
// code of no country, or "" when none of the calling code's regions has
// the number.
func (n Number) Region() string {
	t := n.territory()
	if t == nil {
		return ""
	}
	return t.id
}

// Valid is IsValidNumber.
func (n Number) Valid() bool {
	// IsValidNumberForRegion(number, GetRegionCodeForNumber(number)).
	t := n.territory()
	if t == nil || (t.id != nonGeoEntity && int(t.code) != n.CountryCode) {
		return false
	}
	return t.getNumberTypeHelper(n.National) != Unknown
}

// Type is GetNumberType.
func (n Number) Type() Type {
	t := n.territory()
	if t == nil {
		return Unknown
	}
	return t.getNumberTypeHelper(n.National)
}

// territory is the metadata of GetRegionCodeForNumber's region, as
// getMetadataForRegionOrCallingCode finds it, or nil.
func (n Number) territory() *territory {
	ts := territoriesOf(n.CountryCode)
	switch len(ts) {
	case 0:
		return nil
	case 1:
		return &ts[0]
	}
	// getRegionCodeForNumberFromRegionList.
	for i := range ts {
		t := &ts[i]
		if t.leadingDigits != 0 {
			if re(t.leadingDigits).MatchString(n.National) {
				return t
			}
		} else if t.getNumberTypeHelper(n.National) != Unknown {
			return t
		}
	}
	return nil
}

// nonGeoEntity is REGION_CODE_FOR_NON_GEO_ENTITY.
const nonGeoEntity = "001"

type callingCode struct {
	code     uint16
	first, n uint16
}

// territoriesOf is countryCodeToRegion[cc]'s metadata, main region first.
func territoriesOf(cc int) []territory {
	i, found := slices.BinarySearchFunc(callingCodes[:], cc, func(c callingCode, cc int) int { return int(c.code) - cc })
	if !found {
		return nil
	}
	c := callingCodes[i]
	return territories[c.first : c.first+c.n]
}

// mainTerritory is getMetadataForRegionOrCallingCode(cc,
// GetRegionCodeForCountryCode(cc)).
func mainTerritory(cc int) *territory {
	if ts := territoriesOf(cc); len(ts) > 0 {
		return &ts[0]
	}
	return nil
}

// lengths is a set of possible lengths, bit n for length n: 0 is an empty
// list, 1 (bit 0 alone) is [-1], no number of the type.
type lengths uint32

func (l lengths) has(n int) bool { return n < 32 && l&(1<<n) != 0 }

type desc struct {
	pattern patternID
	lengths lengths
}

// The descriptions of a territory, in getNumberTypeHelper's order.
const (
	descGeneral = iota
	descPremiumRate
	descTollFree
	descSharedCost
	descVoip
	descPersonalNumber
	descPager
	descUan
	descVoicemail
	descFixedLine
	descMobile
	numDescs
)

// territory is one region's PhoneMetadata, or a non-geographical entity's.
type territory struct {
	id                       string
	code                     uint16
	leadingDigits            patternID // 0: none
	nationalPrefixForParsing patternID // 0: none
	transformRule            string
	sameMobileAndFixedLine   bool
	localOnly                lengths // the general description's
	descs                    [numDescs]desc
}

// isNumberMatchingDesc, with isNumberPossibleForDesc.
func isNumberMatchingDesc(national string, d desc) bool {
	if d.lengths != 0 && !d.lengths.has(len(national)) {
		return false
	}
	return re(d.pattern).MatchString(national)
}

// getNumberTypeHelper.
func (t *territory) getNumberTypeHelper(national string) Type {
	if !isNumberMatchingDesc(national, t.descs[descGeneral]) {
		return Unknown
	}
	for _, c := range []struct {
		desc int
		typ  Type
	}{
		{descPremiumRate, PremiumRate}, {descTollFree, TollFree}, {descSharedCost, SharedCost},
		{descVoip, VoIP}, {descPersonalNumber, PersonalNumber}, {descPager, Pager},
		{descUan, UAN}, {descVoicemail, Voicemail},
	} {
		if isNumberMatchingDesc(national, t.descs[c.desc]) {
			return c.typ
		}
	}
	if isNumberMatchingDesc(national, t.descs[descFixedLine]) {
		if t.sameMobileAndFixedLine || isNumberMatchingDesc(national, t.descs[descMobile]) {
			return FixedLineOrMobile
		}
		return FixedLine
	}
	if !t.sameMobileAndFixedLine && isNumberMatchingDesc(national, t.descs[descMobile]) {
		return Mobile
	}
	return Unknown
}

// validationResult is phonenumbers' ValidationResult.
type validationResult int

const (
	isPossible validationResult = iota
	isPossibleLocalOnly
	invalidCountryCode
	tooShort
	invalidLength
	tooLong
)

// testNumberLength for the type UNKNOWN: the general description's
// lengths (the generator checks they are sorted and not empty).
func (t *territory) testNumberLength(national string) validationResult {
	possible := t.descs[descGeneral].lengths
	if possible&1 != 0 { // possibleLengths[0] == -1
		return invalidLength
	}
	n := len(national)
	if t.localOnly.has(n) {
		return isPossibleLocalOnly
	}
	minimum := bits.TrailingZeros32(uint32(possible))
	maximum := 31 - bits.LeadingZeros32(uint32(possible))
	switch {
	case minimum == n:
		return isPossible
	case minimum > n:
		return tooShort
	case maximum < n:
		return tooLong
	case possible.has(n):
		return isPossible
	}
	return invalidLength
}

// maybeStripNationalPrefixAndCarrierCode returns national without its
// national prefix (transformed by the territory's rule) and true, or false
// when there is nothing to strip. The carrier code it would capture is not
// kept: Parse does not keep it either.
func (t *territory) maybeStripNationalPrefixAndCarrierCode(national string) (string, bool) {
	if national == "" || t.nationalPrefixForParsing == 0 {
		return "", false
	}
	prefixMatcher := re(t.nationalPrefixForParsing)
	if !prefixMatcher.MatchString(national) {
		return "", false
	}
	nationalNumberRule := re(t.descs[descGeneral].pattern)
	isViableOriginalNumber := nationalNumberRule.MatchString(national)
	groups := prefixMatcher.FindStringSubmatchIndex(national)
	numOfGroups := len(groups)/2 - 1
	if t.transformRule == "" || groups[numOfGroups*2] < 0 {
		// No transformation: just remove the prefix, unless that turns a
		// viable number into one that is not.
		rest := national[groups[1]:]
		if isViableOriginalNumber && !nationalNumberRule.MatchString(rest) {
			return "", false
		}
		return rest, true
	}
	transformed := prefixMatcher.ReplaceAllString(national, t.transformRule)
	if isViableOriginalNumber && !nationalNumberRule.MatchString(transformed) {
		return "", false
	}
	return transformed, true
}
