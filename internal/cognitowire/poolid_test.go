package cognitowire

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire/poolidtest"
)

func TestValidPoolID(t *testing.T) {
	poolidtest.Check(t, ValidPoolID)
	if ValidPoolID("") {
		t.Error(`ValidPoolID("") = true, want false`)
	}
}
