package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/plan"
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
	num, masked, err := judge(raw)
	if err != nil {
		return Number{}, err
	}
	region := num.Region()
	if !country.Known(region) {
		// "001" (non-geographic calling codes) or none: no country to allow.
		return Number{}, fmt.Errorf("parse phone %s: number belongs to no country: %w", masked, ErrCountryNotAllowed)
	}
	if !p.Allows(region) {
		return Number{}, fmt.Errorf("parse phone %s: country %s: %w", masked, region, ErrCountryNotAllowed)
	}
	t := num.Type()
	switch {
	case t == plan.Mobile, t == plan.FixedLineOrMobile:
	case t == plan.VoIP && p.AllowVoIP:
	default:
		return Number{}, fmt.Errorf("parse phone %s: type %s: %w", masked, t, ErrTypeNotAllowed)
	}
	return Number{E164: num.E164(), Region: region, Type: t.String()}, nil
}

// Normalize returns raw in E.164 if the numbering plan calls it a valid
// number, whatever its country and type (no policy): for a tool that lets
// the pool's own policy refuse it. Its errors are Parse's, wrapping
// ErrInvalid.
func Normalize(raw string) (string, error) {
	num, _, err := judge(raw)
	if err != nil {
		return "", err
	}
	return num.E164(), nil
}

// judge parses raw (see Parse) and checks it is a valid number of the plan;
// it also returns the number masked, for errors.
func judge(raw string) (plan.Number, string, error) {
	if len(raw) > MaxInputLen {
		return plan.Number{}, "", fmt.Errorf("parse phone: input is %d bytes, longer than %d: %w", len(raw), MaxInputLen, ErrInvalid)
	}
	s := strings.TrimSpace(raw)
	if reason := checkChars(s); reason != "" {
		return plan.Number{}, "", fmt.Errorf("parse phone %s: %s: %w", Mask(s), reason, ErrInvalid)
	}
	num, err := plan.Parse(s)
	if err != nil {
		// The plan's error texts are phonenumbers', fixed, but we name the
		// reason ourselves so that no future version can put the number in
		// a log.
		return plan.Number{}, "", fmt.Errorf("parse phone %s: %s: %w", Mask(s), parseReason(err), ErrInvalid)
	}
	masked := Mask(num.E164())
	if !num.Valid() {
		return plan.Number{}, "", fmt.Errorf("parse phone %s: not a valid number: %w", masked, ErrInvalid)
	}
	return num, masked, nil
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
	if !plan.Typed.Match(s[1:], 0, len(s)) {
		return "contains a character other than digits, spaces, '-', '.', '(' and ')' after the '+'"
	}
	return ""
}

func parseReason(err error) string {
	switch {
	case errors.Is(err, plan.ErrInvalidCountryCode):
		return "unknown country calling code"
	case errors.Is(err, plan.ErrTooShortNSN), errors.Is(err, plan.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, plan.ErrNumTooLong):
		return "too long"
	default:
		return "not a number"
	}
}

// Mask hides all but the last 4 digits of a phone number: see mask.Phone,
// which callers that need no numbering plan use directly.
func Mask(s string) string { return mask.Phone(s) }
