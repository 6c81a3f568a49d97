package delivery

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// CleanCode keeps exactly what the regexp it replaces accepted.
func TestCleanCodeIsThePattern(t *testing.T) {
	kept := func(s string) bool { return CleanCode(s) == s }
	charclasstest.Same(t, `^[A-Za-z0-9-]{1,24}$`, kept, 24, "30008", "TEXT_TTL_EXPIRED", "DELIVERY-FAILED")
}
