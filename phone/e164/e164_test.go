package e164_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in      string
		allowed []string
		region  string
		err     error
	}{
		{"+14155550123", nil, "US", nil},
		{"+919876543210", []string{"IN"}, "IN", nil},
		{"+6835123", nil, "NU", nil},                    // 7 digits: Niue
		{"+491234", nil, "", e164.ErrInvalid},           // a German length, under 7 digits
		{"+4915123456789012", nil, "", e164.ErrInvalid}, // 16 digits
		{"+14155550123", []string{"IN"}, "", e164.ErrCountryNotAllowed},
		{"+80012345678", nil, "", e164.ErrCountryNotAllowed},
		{"+1415555012", nil, "", e164.ErrInvalid},
		{"14155550123", nil, "", e164.ErrInvalid},
		{"+1 415 555 0123", nil, "", e164.ErrInvalid},
		{"+04155550123", nil, "", e164.ErrInvalid},
		{"", nil, "", e164.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := e164.Policy{AllowedCountries: tt.allowed}.Check(tt.in)
			if !errors.Is(err, tt.err) || (err != nil) != (tt.err != nil) {
				t.Fatalf("Check(%q) = %v, want %v", tt.in, err, tt.err)
			}
			if err != nil {
				if len(tt.in) > 6 && strings.Contains(err.Error(), tt.in[1:]) {
					t.Fatalf("error holds the full number: %v", err)
				}
				return
			}
			if n.Region != tt.region || n.E164 != tt.in {
				t.Fatalf("Check(%q) = %+v, want region %s", tt.in, n, tt.region)
			}
		})
	}
}
