package delivery_test

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

func TestRouteMayHelp(t *testing.T) {
	tests := []struct {
		provider, code string
		want           bool
	}{
		// Twilio SMS.
		{"twilio", "21610", false}, // STOP: never route around an opt-out
		{"twilio", "21211", false},
		{"twilio", "30003", false},
		{"twilio", "30006", false},
		{"twilio", "30007", true}, // carrier filtering
		{"twilio", "30008", true},
		// SNS.
		{"sns", "opted-out", false},
		{"sns", "phone-blocked", false},
		{"sns", "spam", true},
		{"sns", "carrier-unreachable", true},
		// End User Messaging: every TEXT_* failure, by the code receipts gives it.
		{"eum", "blocked", false},         // TEXT_BLOCKED: the recipient's device or carrier blocks them
		{"eum", "protect-blocked", false}, // TEXT_PROTECT_BLOCKED: our own fraud rule
		{"eum", "invalid-number", false},  // TEXT_INVALID
		{"eum", "unreachable", false},     // TEXT_UNREACHABLE
		{"eum", "ttl-expired", true},      // TEXT_TTL_EXPIRED
		{"eum", "carrier-unreachable", true},
		{"eum", "carrier-blocked", true},
		{"eum", "spam", true},
		{"eum", "invalid-body", true}, // TEXT_INVALID_MESSAGE
		{"eum", "unknown-error", true},
		// WhatsApp: opted out of, or not on, WhatsApp; SMS may still reach it.
		{"whatsapp", "21610", true},
		{"whatsapp", "63024", true},
		{"whatsapp", "63003", true},
		{"whatsapp", "30003", true},
		{"whatsapp", "30004", true},
		{"whatsapp", "21211", false}, // no channel reaches an invalid number
		{"whatsapp", "21635", false},
		// Codes CleanCode does not keep are the path's.
		{"twilio", "", true},
		{"twilio", "not a code!", true},
	}
	for _, tc := range tests {
		if got := delivery.RouteMayHelp(channel.Of(tc.provider), tc.code); got != tc.want {
			t.Errorf("RouteMayHelp(%s of %s, %q) = %v, want %v", channel.Of(tc.provider), tc.provider, tc.code, got, tc.want)
		}
	}
	if delivery.RouteMayHelp("pigeon", "21610") {
		t.Error("an unknown channel is judged more leniently than SMS")
	}
}
