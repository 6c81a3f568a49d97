package userpool

import (
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
)

// SafeUsername returns username for logs and errors, masked with phone.Mask
// when it reads as a phone number (pools where the phone number is the
// username or an alias): 7 to 15 digits, with an optional leading '+' and
// the separators phone.Mask accepts. Anything else is returned as it is.
func SafeUsername(username string) string {
	// phone.Mask shows the last four digits only of what it takes for a phone
	// number; everything else it hides entirely ("****").
	if masked := phone.Mask(username); strings.ContainsAny(masked, "0123456789") {
		return masked
	}
	return username
}
