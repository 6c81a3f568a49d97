package twilio

import (
	"regexp"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// The hand-written checks accept exactly what the regexps they replace
// accept.
func TestShapesAreThePatterns(t *testing.T) {
	const hex32 = "0123456789abcdefABCDEF0123456789"
	for _, prefix := range []string{"AC", "MG", "HX"} {
		charclasstest.Same(t, `^`+prefix+`[0-9a-fA-F]{32}$`, func(s string) bool { return sid(s, prefix) }, 34, prefix+hex32)
	}
	charclasstest.Same(t, `^[A-Za-z0-9]+$`, validAuthToken, 40, "0123456789abcdefABCDEF0123456789")
	charclasstest.Same(t, `^\+[1-9][0-9]{1,14}$`, e164, 16, "+14155550123", "+44")
	charclasstest.Same(t, `^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`, localeTag.Match, 40, "en", "pt-BR", "zh-Hant-TW")
	e164RE, short := regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`), regexp.MustCompile(`^[0-9]{3,8}$`)
	alpha, letter := regexp.MustCompile(`^[A-Za-z0-9 +_&-]{1,11}$`), regexp.MustCompile(`[A-Za-z]`)
	sender := func(s string) bool {
		return e164RE.MatchString(s) || short.MatchString(s) || (alpha.MatchString(s) && letter.MatchString(s))
	}
	charclasstest.SameAs(t, "a sender's three patterns", sender, validSender, 16, "+14155550123", "12345", "My Brand&Co", "A")
}
