package idp

import (
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire/poolidtest"
)

// The pool serves the ids otp-local and its sign-in client accept.
func TestPoolIDsAsTheCommands(t *testing.T) {
	poolidtest.Check(t, func(id string) bool {
		c := Config{PoolID: id, ClientID: "c"}
		err := c.withDefaults()
		return err == nil || !strings.Contains(err.Error(), "pool id")
	})
}
