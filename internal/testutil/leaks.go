package testutil

import (
	"regexp"
	"strings"
)

// FullNumber matches an unmasked phone number in E.164 form: what no log
// line, error or response may hold (masked numbers keep only 4 digits).
var FullNumber = regexp.MustCompile(`\+[0-9]{7,}`)

// HoldsCode reports the code in s as a token of its own: a random 6-digit
// code is also found, by chance, inside a log line's nanoseconds or a hex id.
func HoldsCode(s, code string) bool {
	alnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for i := 0; code != "" && i <= len(s)-len(code); i++ {
		j := strings.Index(s[i:], code)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(code)
		if (start == 0 || !alnum(s[start-1])) && (end == len(s) || !alnum(s[end])) {
			return true
		}
		i = start
	}
	return false
}
