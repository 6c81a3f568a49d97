// Package mask hides phone numbers for logs, errors and public views. It
// sits apart from package phone so that code which only masks numbers
// links no numbering plan (package plan's tables and patterns, about
// 0.2 MB of a Lambda binary; nyaruka/phonenumbers, which no function links
// any more, weighed about 5 MB).
package mask

import "strings"

// MaxInputLen is the longest input, in bytes, Phone looks at (and the
// longest raw number phone.Parse takes). The longest E.164 number
// has 15 digits; 32 leaves room for "+", spaces, dashes and parentheses.
const MaxInputLen = 32

// fullMask is what Phone returns for anything it will not partly show.
const fullMask = "****"

// Phone hides all but the last 4 digits of a phone number, keeping a leading
// '+' and the digit count: "+14155550123" gives "+*******0123", and so does
// "+1 (415) 555-0123". Anything that is not 7 to 15 digits (with optional
// leading '+' and the separators phone.Parse accepts), or is longer than
// MaxInputLen bytes, gives "****"; "" gives "". The result is never longer
// than 16 bytes, so Phone is safe on any input, however long or odd.
func Phone(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > MaxInputLen {
		return fullMask
	}
	t := strings.TrimSpace(s)
	plus := strings.HasPrefix(t, "+")
	if plus {
		t = t[1:]
	}
	var digits []byte
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ', c == '-', c == '.', c == '(', c == ')':
		default:
			return fullMask
		}
	}
	if len(digits) < 7 || len(digits) > 15 {
		return fullMask
	}
	var b strings.Builder
	if plus {
		b.WriteByte('+')
	}
	b.WriteString(strings.Repeat("*", len(digits)-4))
	b.Write(digits[len(digits)-4:])
	return b.String()
}

// Username returns a username for logs and errors, masked with Phone when
// it reads as a phone number (pools where the phone number is the username
// or an alias): 7 to 15 digits, with an optional leading '+' and the
// separators Phone accepts. Anything else is returned as it is.
func Username(username string) string {
	// Phone shows the last four digits only of what it takes for a phone
	// number; everything else it hides entirely ("****").
	if masked := Phone(username); strings.ContainsAny(masked, "0123456789") {
		return masked
	}
	return username
}
