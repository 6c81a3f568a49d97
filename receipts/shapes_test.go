package receipts

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// The hand-written checks accept exactly what the regexps they replace
// accept.
func TestShapesAreThePatterns(t *testing.T) {
	charclasstest.Same(t, `^(SM|MM)[0-9a-f]{32}$`, validMessageSID, 34, "SM0123456789abcdef0123456789abcdef", "MM0123456789abcdef0123456789abcdef")
	charclasstest.Same(t, `^[0-9]{1,6}$`, validErrorCode, 6, "30008", "1")
}
