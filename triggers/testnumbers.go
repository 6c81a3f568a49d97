package triggers

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
)

// validateTestNumbers checks each test number as Create will meet it: in
// E.164 (the form Create looks it up by) and accepted by the phone policy,
// with a code a user could type. Errors name the number masked, never the code.
func (c Config) validateTestNumbers() error {
	for _, n := range slices.Sorted(maps.Keys(c.TestNumbers)) {
		num, err := c.Phone.Parse(n)
		if err != nil {
			return fmt.Errorf("test number %s: %w", phone.Mask(n), err)
		}
		if num.E164 != n {
			return fmt.Errorf("test number %s: not in E.164 form", phone.Mask(n))
		}
		if !isDigits(c.TestNumbers[n], c.Policy.Digits) {
			return fmt.Errorf("test number %s: code must be exactly %d ASCII digits", phone.Mask(n), c.Policy.Digits)
		}
	}
	return nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// TestNumbersWarning is "" when no test numbers are set; otherwise a loud
// one-line warning, with the numbers masked and no code, for the mains to
// log at start-up so test numbers are never left on unnoticed.
func (c Config) TestNumbersWarning() string {
	if len(c.TestNumbers) == 0 {
		return ""
	}
	masked := make([]string, 0, len(c.TestNumbers))
	for _, n := range slices.Sorted(maps.Keys(c.TestNumbers)) {
		masked = append(masked, phone.Mask(n))
	}
	return fmt.Sprintf("TEST NUMBERS ARE ON (%d: %s): they sign in with fixed codes and receive no SMS; never enable this in production unless for app-store review",
		len(masked), strings.Join(masked, ", "))
}
