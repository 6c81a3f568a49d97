// Package charclass checks a string against a set of ASCII bytes and a
// length range: what a pattern like ^[A-Za-z0-9_-]{1,64}$ says. Go's
// regexp compiles a bounded repetition into that many copies, so such a
// pattern compiled at package level costs a cold start tens to hundreds of
// kilobytes and milliseconds, and a function that never checks the value
// pays it too. A Set costs 16 bytes and nothing at init.
package charclass

import "strings"

// Set is a set of ASCII bytes; a byte of 0x80 or more is never in one, so a
// string a Set matches is ASCII, its length in bytes is its length in runes.
type Set [2]uint64

// New builds a Set from a bracket expression's body as regexp writes it:
// single bytes and ranges a-z; a '-' first or last is itself. It panics on
// a malformed spec, as regexp.MustCompile does: specs are constants.
func New(spec string) Set {
	var s Set
	for i := 0; i < len(spec); i++ {
		lo, hi := spec[i], spec[i]
		if i+2 < len(spec) && spec[i+1] == '-' {
			hi = spec[i+2]
			i += 2
		}
		if lo > hi || hi >= 0x80 {
			panic("charclass: bad spec " + spec)
		}
		for c := lo; ; c++ {
			s[c>>6] |= 1 << (c & 63)
			if c == hi {
				break
			}
		}
	}
	return s
}

// Has reports whether c is in s.
func (s Set) Has(c byte) bool { return c < 0x80 && s[c>>6]&(1<<(c&63)) != 0 }

// Match reports whether str has min to max bytes, each in s: the anchored
// pattern ^[s]{min,max}$.
func (s Set) Match(str string, min, max int) bool {
	if len(str) < min || len(str) > max {
		return false
	}
	for i := 0; i < len(str); i++ {
		if !s.Has(str[i]) {
			return false
		}
	}
	return true
}

// Any reports whether str holds a byte of s: the unanchored pattern [s].
func (s Set) Any(str string) bool {
	for i := 0; i < len(str); i++ {
		if s.Has(str[i]) {
			return true
		}
	}
	return false
}

// Span is the length of str's longest prefix of bytes in s.
func (s Set) Span(str string) int {
	for i := 0; i < len(str); i++ {
		if !s.Has(str[i]) {
			return i
		}
	}
	return len(str)
}

// Common sets.
var (
	Digits   = New("0-9")
	Letters  = New("A-Za-z")
	Alnum    = New("A-Za-z0-9")
	HexLower = New("0-9a-f")
	Hex      = New("0-9a-fA-F")
)

// PlusNumber reports whether s is '+', a digit 1-9 and min to max more
// digits: the pattern ^\+[1-9][0-9]{min,max}$ (E.164 is min 1, max 14).
func PlusNumber(s string, min, max int) bool {
	return len(s) >= 2 && s[0] == '+' && s[1] >= '1' && s[1] <= '9' && Digits.Match(s[2:], min, max)
}

// Tag is a shape of language tag: a first part and any number of more
// parts, each after a '-': ^[First]{FirstMin,FirstMax}(-[Rest]{RestMin,RestMax})*$.
type Tag struct {
	First              Set
	FirstMin, FirstMax int
	Rest               Set
	RestMin, RestMax   int
}

// Match reports whether s has the shape.
func (t Tag) Match(s string) bool {
	part, s, more := strings.Cut(s, "-")
	if !t.First.Match(part, t.FirstMin, t.FirstMax) {
		return false
	}
	for more {
		part, s, more = strings.Cut(s, "-")
		if !t.Rest.Match(part, t.RestMin, t.RestMax) {
			return false
		}
	}
	return true
}
