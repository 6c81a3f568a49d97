package handlerenv_test

import (
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
)

func TestCheckDeadline(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Millisecond, ""},
		{4500 * time.Millisecond, ""},
		{0, "deadline 0s: must be above 0 and at most 4.5s"},
		{-time.Second, "deadline -1s: must be above 0 and at most 4.5s"},
		{4501 * time.Millisecond, "deadline 4.501s: must be above 0 and at most 4.5s"},
	}
	for _, tt := range tests {
		err := handlerenv.CheckDeadline(tt.d)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CheckDeadline(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
