package providers

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// DescribeHTTP joins what a provider's error says: its HTTP status, its
// request id and msg (already redacted), leaving out what is missing.
func DescribeHTTP(status int, requestID, msg string) string {
	var b strings.Builder
	if status != 0 {
		fmt.Fprintf(&b, "HTTP %d", status)
	}
	if requestID != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("request id " + requestID)
	}
	if msg != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(msg)
	}
	return b.String()
}

// SafeError is the Err of an *Error an AWS provider builds: a redacted
// message and at most a context sentinel to unwrap to (never the SDK's
// error, whose text may quote the number).
type SafeError struct {
	Msg   string
	Cause error
}

func (e *SafeError) Error() string { return e.Msg }
func (e *SafeError) Unwrap() error { return e.Cause }

// digitRun is four or more digits, possibly written with separators: a phone
// number in any format, a code, or a part of either.
// Compiled on first use: only an error's text needs it.
var digitRun = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\+?[0-9][0-9 ().\-/]*[0-9]`) })

// MaxTextLen bounds how much of a provider's text an error keeps.
const MaxTextLen = 300

// Redact removes the destination, the body and every run of four or more
// digits from s, a provider's error text. AWS's messages echo the number
// ("Invalid parameter: PhoneNumber Reason: +15555550100 is not valid to
// publish to"), and the body holds the code.
func Redact(s string, m Message) string {
	for _, secret := range []string{m.Body, m.To, strings.TrimPrefix(m.To, "+")} {
		if len(secret) >= 4 { // shorter ones are left to digitRun
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	s = digitRun().ReplaceAllStringFunc(s, func(run string) string {
		n := 0
		for _, c := range run {
			if c >= '0' && c <= '9' {
				n++
			}
		}
		if n < 4 {
			return run
		}
		return "[redacted]"
	})
	if r := []rune(s); len(r) > MaxTextLen {
		s = string(r[:MaxTextLen]) + "…"
	}
	return s
}
