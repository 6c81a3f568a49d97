package schema

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// The hand-written checks accept exactly what the regexps they replace
// (the JSON Schemas' patterns) accept.
func TestShapesAreThePatterns(t *testing.T) {
	tests := []struct {
		pattern string
		check   func(string) bool
		maxLen  int
		seeds   []string
	}{
		{`^[0-9a-f]{32}$`, validID, 32, []string{"0123456789abcdef0123456789abcdef"}},
		{`^[0-9a-f]{12}$`, validKeyID, 12, []string{"0123456789ab"}},
		{`^\+[1-9][0-9]{6,14}$`, validTo, 16, []string{"+14155550123", "+4930123"}},
		{`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`, localeTag.Match, MaxLocaleLen, []string{"en", "pt-BR", "zh-Hant-TW", "de-1996"}},
		{`^[a-z0-9-]{1,32}$`, validProvider, 32, []string{"twilio", "eum", "a-b-0"}},
		{`^[A-Za-z0-9._:-]{1,128}$`, validProviderID, 128, []string{"SM0123456789abcdef0123456789abcdef", "a.b_c:d-e"}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			charclasstest.Same(t, tc.pattern, tc.check, tc.maxLen, tc.seeds...)
		})
	}
}
