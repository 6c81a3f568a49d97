package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
)

// Sentinel errors; errors returned by Parse wrap exactly one of them. The
// first two are package e164's, which Check returns.
var (
	// ErrInvalid means the input is not a valid number in international form.
	ErrInvalid = e164.ErrInvalid
	// ErrCountryNotAllowed means the number belongs to a region outside the
	// policy's allow-list, or to no country at all (+800, +881, ...).
	ErrCountryNotAllowed = e164.ErrCountryNotAllowed
	// ErrTypeNotAllowed means the number is valid but of a type we do not
	// text (landline, toll-free, premium rate, VoIP unless allowed, ...).
	ErrTypeNotAllowed = errors.New("phone number type not allowed")
)

// MaxInputLen is the longest raw input, in bytes, that Parse looks at (the
// longest Mask shows). The longest E.164 number has 15 digits; 32 leaves
// room for "+", spaces, dashes and parentheses.
const MaxInputLen = mask.MaxInputLen

// Policy says which numbers we accept (package e164, which checks numbers
// judged already without the numbering plan).
type Policy = e164.Policy

// Number is a parsed, accepted phone number.
type Number = e164.Number

// typeNames names phonenumbers' number types.
var typeNames = map[phonenumbers.PhoneNumberType]string{
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

func typeName(t phonenumbers.PhoneNumberType) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return "UNKNOWN"
}

// Parse normalises raw, a number typed by a user, to E.164 and judges it
// against the policy p by the whole numbering plan: where a number enters
// (PreSignUp, the local stack's and the tools' input). A number that comes
// back from Cognito, which Parse judged at sign-up, needs only p.Check.
//
// raw must be in international form: a leading '+' (after optional
// surrounding spaces), then ASCII digits, optionally grouped with spaces,
// '-', '.', '(' and ')'. No default region is assumed, and anything else
// (letters, extensions, "tel:" URIs, non-ASCII digits or spaces) is refused
// with ErrInvalid. Input longer than MaxInputLen bytes is refused before
// parsing.
//
// A number is accepted when the numbering plan says it is valid and it is
// MOBILE, FIXED_LINE_OR_MOBILE (the plan can't tell, as for every North
// American number), or VOIP when p.AllowVoIP. Every other type is refused
// with ErrTypeNotAllowed; a region outside p.AllowedCountries with
// ErrCountryNotAllowed.
func Parse(p Policy, raw string) (Number, error) {
	if len(raw) > MaxInputLen {
		return Number{}, fmt.Errorf("parse phone: input is %d bytes, longer than %d: %w", len(raw), MaxInputLen, ErrInvalid)
	}
	s := strings.TrimSpace(raw)
	if reason := checkChars(s); reason != "" {
		return Number{}, fmt.Errorf("parse phone %s: %s: %w", Mask(s), reason, ErrInvalid)
	}
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		// phonenumbers' error texts are fixed today, but we name the reason
		// ourselves so that no future version can put the number in a log.
		return Number{}, fmt.Errorf("parse phone %s: %s: %w", Mask(s), parseReason(err), ErrInvalid)
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	masked := Mask(e164)
	if !phonenumbers.IsValidNumber(num) {
		return Number{}, fmt.Errorf("parse phone %s: not a valid number: %w", masked, ErrInvalid)
	}
	region := phonenumbers.GetRegionCodeForNumber(num)
	if !phonenumbers.GetSupportedRegions()[region] {
		// "001" (non-geographic calling codes) or "ZZ": no country to allow.
		return Number{}, fmt.Errorf("parse phone %s: number belongs to no country: %w", masked, ErrCountryNotAllowed)
	}
	if !p.Allows(region) {
		return Number{}, fmt.Errorf("parse phone %s: country %s: %w", masked, region, ErrCountryNotAllowed)
	}
	t := phonenumbers.GetNumberType(num)
	switch {
	case t == phonenumbers.MOBILE, t == phonenumbers.FIXED_LINE_OR_MOBILE:
	case t == phonenumbers.VOIP && p.AllowVoIP:
	default:
		return Number{}, fmt.Errorf("parse phone %s: type %s: %w", masked, typeName(t), ErrTypeNotAllowed)
	}
	return Number{E164: e164, Region: region, Type: typeName(t)}, nil
}

// checkChars returns why s is not an international number made of digits
// and separators, or "" if it is.
func checkChars(s string) string {
	if s == "" {
		return "empty"
	}
	if s[0] != '+' {
		return "not in international form (must start with '+')"
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == ' ', c == '-', c == '.', c == '(', c == ')':
		default:
			return "contains a character other than digits, spaces, '-', '.', '(' and ')' after the '+'"
		}
	}
	return ""
}

func parseReason(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "unknown country calling code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long"
	default:
		return "not a number"
	}
}

// Mask hides all but the last 4 digits of a phone number: see mask.Phone,
// which callers that need no numbering plan use directly.
func Mask(s string) string { return mask.Phone(s) }
