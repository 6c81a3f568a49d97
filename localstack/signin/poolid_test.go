package signin

import (
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire/poolidtest"
)

// signin accepts the pool ids the local stack does (localstack's
// TestPoolIDsAsTheSignInClient runs the same fixture).
func TestPoolIDsAsTheStack(t *testing.T) {
	poolidtest.Check(t, func(id string) bool {
		err := options{clientID: "c", region: "us-east-1", poolID: id}.check()
		return err == nil || !strings.Contains(err.Error(), "--pool-id")
	})
}
