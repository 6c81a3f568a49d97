package source_test

import (
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

func TestLoggable(t *testing.T) {
	tests := map[string]string{
		"DefineAuthChallenge_Authentication": "DefineAuthChallenge_Authentication",
		"":                                   "",
		"+14155550123":                       "(malformed)",
		"code 123456":                        "(malformed)",
		strings.Repeat("A", 61):              "(too long)",
	}
	for in, want := range tests {
		if got := source.Loggable(in); got != want {
			t.Errorf("Loggable(%q) = %q, want %q", in, got, want)
		}
	}
}
