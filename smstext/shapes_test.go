package smstext

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// The hand-written checks accept exactly what the regexps they replace
// accept.
func TestShapesAreThePatterns(t *testing.T) {
	charclasstest.Same(t, `^[a-z]{2,3}(-[a-z0-9]{1,8})*$`, localeTag.Match, 35, "en", "pt-br", "zh-hant-tw", "es-419")
	charclasstest.Same(t, `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`, validLabel, 63, "example", "xn--bcher-kva", "a", "a-b")
	charclasstest.Same(t, `^[A-Za-z0-9+/]{11}$`, appHashShape, 11, "FA+9qCX9VSu")
}
