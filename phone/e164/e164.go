// Package e164 checks a phone number that package phone's numbering plan
// judged already, where the number first entered (PreSignUp): the E.164
// string Cognito hands to CreateAuthChallenge and the Custom SMS Sender.
// It checks the shape, names the country (country.Of) and applies the
// policy's allow-list, without linking the plan, whose start-up costs
// those functions 15 to 20 ms. It never judges validity or number type.
//
// Its errors never contain a full number, only a masked one.
package e164

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
)

// Sentinel errors, shared with package phone (which names them too).
var (
	// ErrInvalid means the input is not a valid number in international form.
	ErrInvalid = errors.New("invalid phone number")
	// ErrCountryNotAllowed means the number belongs to a region outside the
	// policy's allow-list, or to no country at all (+800, +881, ...).
	ErrCountryNotAllowed = errors.New("phone number country not allowed")
)

// Policy says which numbers we accept. The zero value accepts mobile numbers
// of every country. Package phone's Parse applies all of it; Check, only
// the allow-list.
type Policy struct {
	// AllowedCountries holds ISO 3166 alpha-2 region codes, upper case
	// (see country.ParseList). Empty means every country. Numbers of
	// non-geographic calling codes (+800, +808, +870, +881, +882, +883, +888,
	// +979), which have no country, are refused either way.
	AllowedCountries []string
	// AllowVoIP accepts numbers that the numbering plan marks as VoIP.
	AllowVoIP bool
}

// Number is an accepted phone number.
type Number struct {
	E164   string // "+14155550123"
	Region string // ISO 3166 alpha-2 code of the number's region, e.g. "US"
	// Type is the numbering-plan type ("MOBILE", "FIXED_LINE_OR_MOBILE" or
	// "VOIP") when phone.Parse judged it; "" from Check, which does not.
	Type string
}

// Allows reports whether the policy's allow-list holds region.
func (p Policy) Allows(region string) bool {
	return len(p.AllowedCountries) == 0 || slices.ContainsFunc(p.AllowedCountries, func(c string) bool { return strings.EqualFold(c, region) })
}

// Check accepts s when it is in E.164 exactly ('+' and 7 to 15 digits, a
// calling code the plan knows, a national number of a length its regions
// use) and
// its country (country.Of: for a valid number, the plan's own answer) is
// one the allow-list holds. ErrInvalid or ErrCountryNotAllowed otherwise.
//
// What it does not check, phone.Parse did when the number entered: that the
// plan calls it valid, and its type (landline, toll-free, VoIP when not
// allowed are refused there, not here).
func (p Policy) Check(s string) (Number, error) {
	if len(s) > mask.MaxInputLen {
		return Number{}, fmt.Errorf("check phone: input is %d bytes, longer than %d: %w", len(s), mask.MaxInputLen, ErrInvalid)
	}
	masked := mask.Phone(s)
	if !country.E164Shaped(s) {
		return Number{}, fmt.Errorf("check phone %s: not '+' and %d to %d digits: %w", masked, country.MinDigits, country.MaxDigits, ErrInvalid)
	}
	region, err := country.Of(s)
	switch {
	case errors.Is(err, country.ErrNoCountry):
		return Number{}, fmt.Errorf("check phone %s: %v: %w", masked, err, ErrCountryNotAllowed)
	case err != nil:
		return Number{}, fmt.Errorf("check phone %s: %v: %w", masked, err, ErrInvalid)
	case !p.Allows(region):
		return Number{}, fmt.Errorf("check phone %s: country %s: %w", masked, region, ErrCountryNotAllowed)
	}
	return Number{E164: s, Region: region}, nil
}
