package localstack

import (
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire/poolidtest"
)

// otp-local accepts the pool ids its sign-in client does (localstack/signin's
// TestPoolIDsAsTheStack runs the same fixture).
func TestPoolIDsAsTheSignInClient(t *testing.T) {
	poolidtest.Check(t, func(id string) bool {
		o := Options{PoolID: id, Outbox: "-"}
		err := o.withDefaults()
		return err == nil || !strings.Contains(err.Error(), "--pool-id")
	})
}
