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
)

// Wellformed reports whether s has the form of a country code: two ASCII
// upper-case letters. A queue message's country must have it; whether the
// code is one the numbering plan knows is Known's question.
func Wellformed(s string) bool {
	return len(s) == 2 && isUpper(s[0]) && isUpper(s[1])
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// Known reports whether code is a region the numbering plan gives numbers
// (upper case, as phone.Number.Region spells it): what a per-country route
// may be keyed by.
func Known(code string) bool {
	_, ok := slices.BinarySearch(codes, code)
	return ok && Wellformed(code)
}

// Codes returns every known code, sorted.
func Codes() []string { return slices.Clone(codes) }
