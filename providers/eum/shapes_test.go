package eum

import (
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// The hand-written checks accept exactly what the API reference's
// patterns (the regexps they replace) accept.
func TestShapesAreThePatterns(t *testing.T) {
	arn := "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef"
	tests := []struct {
		pattern string
		check   func(string) bool
		maxLen  int
		seeds   []string
	}{
		{`^[A-Za-z0-9_:/+-]{1,256}$`, validIdentity, 256, []string{"+14155550123", arn, "MySender"}},
		{`^([A-Za-z0-9_-]{1,64}|arn:[A-Za-z0-9_:/-]{1,252})$`, validConfigSet, 256, []string{"otp-events", "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/otp", strings.Repeat("a", 64)}},
		{`^[A-Za-z0-9_:/-]{1,256}$`, validProtect, 256, []string{"protect-0123456789abcdef", arn}},
		{`^[0-9]{0,2}\.[0-9]{1,5}$`, validMaxPrice, 9, []string{"0.05", "12.34567", ".1"}},
		{`^[0-9]{1,50}$`, validDLT, 50, []string{"1201159134511113152", "7"}},
		{`^arn:aws[a-z-]*:sms-voice:`, smsVoiceARN, 64, []string{arn, "arn:aws-cn:sms-voice:x", "arn:aws:sms-voice:", "arn:aws-us-gov:sms-voice::"}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			charclasstest.Same(t, tc.pattern, tc.check, tc.maxLen, tc.seeds...)
		})
	}
}
