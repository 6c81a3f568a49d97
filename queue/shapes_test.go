package queue

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// safeID echoes exactly the ids the regexp it replaces accepted.
func TestSafeIDIsThePattern(t *testing.T) {
	echoed := func(s string) bool { return safeID(s) == s }
	charclasstest.Same(t, `^[0-9a-f]{32}$`, echoed, 32, "0123456789abcdef0123456789abcdef")
}
