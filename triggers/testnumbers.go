package triggers

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
)

// validateTestNumbers checks each test number as Create will meet it:
// accepted by the phone policy's Check (exactly E.164, a country the
// allow-list holds), with a code a user could type. Whether the plan calls
// it valid, and its type, PreSignUp judges when the number signs up (a test
// number it refuses can never sign in). Errors name the number masked,
// never the code.
func (c Config) validateTestNumbers() error {
	for _, n := range slices.Sorted(maps.Keys(c.TestNumbers)) {
		if _, err := c.Phone.Check(n); err != nil {
			return fmt.Errorf("test number %s: %w", mask.Phone(n), err)
		}
		if !isDigits(c.TestNumbers[n], c.Policy.Digits) {
			return fmt.Errorf("test number %s: code must be exactly %d ASCII digits", mask.Phone(n), c.Policy.Digits)
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
		masked = append(masked, mask.Phone(n))
	}
	return fmt.Sprintf("TEST NUMBERS ARE ON (%d: %s): they sign in with fixed codes and receive no SMS; never enable this in production unless for app-store review",
		len(masked), strings.Join(masked, ", "))
}
