package triggers

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// OTP_CHANNEL_ATTRIBUTE accepts exactly what the regexp it replaces did.
func TestAttributeNameIsThePattern(t *testing.T) {
	check := func(s string) bool { return attributeChars.Match(s, 1, 64) }
	charclasstest.Same(t, `^[A-Za-z0-9_:-]{1,64}$`, check, 64, "custom:otp_channel", "locale")
}
