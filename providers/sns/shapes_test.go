package sns

import (
	"regexp"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// The hand-written checks accept exactly what the regexps they replace
// accept (the sender ID's two patterns are one check).
func TestShapesAreThePatterns(t *testing.T) {
	senderID, letter := regexp.MustCompile(`^[A-Za-z0-9-]{3,11}$`), regexp.MustCompile(`[A-Za-z]`)
	both := func(s string) bool { return senderID.MatchString(s) && letter.MatchString(s) }
	charclasstest.SameAs(t, "^[A-Za-z0-9-]{3,11}$ and [A-Za-z]", both, validSenderID, 11, "MyBrand", "AB-12", "123")
	charclasstest.Same(t, `^(\+[1-9][0-9]{4,13}|[0-9]{5,14})$`, validOriginationNumber, 15, "+14155550123", "12345", "+12345")
	charclasstest.Same(t, `^[0-9]{1,6}(\.[0-9]{1,6})?$`, validDecimal, 13, "0.50", "123456.123456", "7")
	charclasstest.Same(t, `^[0-9]{1,50}$`, validDLTID, 50, "1201159134511113152")
	charclasstest.Same(t, `^\+[1-9][0-9]{1,14}$`, e164, 16, "+14155550123", "+44")
}
