// Package country knows the country codes a phone number can belong to: the
// ISO 3166-1 alpha-2 regions of the numbering plan package phone parses with
// (plus the plan's AC, TA and XK), as a table; and which of them an E.164
// number belongs to (Of), from a table of calling codes and deciding digit
// prefixes generated from the plan (go generate; package gen). It sits apart
// from phone so that code which only checks a code (route keys, queue
// messages) or names a judged number's country (Create) links no numbering
// plan; tests keep both tables equal to the plan.
package country

import (
	"slices"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// Wellformed reports whether s has the form of a country code: two ASCII
// upper-case letters. A queue message's country must have it; whether the
// code is one the numbering plan knows is Known's question.
func Wellformed(s string) bool {
	return len(s) == 2 && isUpper(s[0]) && isUpper(s[1])
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// MinDigits and MaxDigits bound the digits, calling code included, of a
// number we text: E.164 allows 15, and no region's numbers have fewer than
// 7. The plan calls some longer numbers valid (German ones of up to 17
// digits): those cannot be sent as E.164, so neither Create nor a queue
// message takes them.
const MinDigits, MaxDigits = 7, 15

// E164Shaped reports whether s is '+' and MinDigits to MaxDigits ASCII
// digits, the first not 0: ^\+[1-9][0-9]{6,14}$.
func E164Shaped(s string) bool { return charclass.PlusNumber(s, MinDigits-1, MaxDigits-1) }

// Known reports whether code is a region the numbering plan gives numbers
// (upper case, as phone.Number.Region spells it): what a per-country route
// may be keyed by.
func Known(code string) bool {
	_, ok := slices.BinarySearch(codes, code)
	return ok && Wellformed(code)
}

// Codes returns every known code, sorted.
func Codes() []string { return slices.Clone(codes) }
