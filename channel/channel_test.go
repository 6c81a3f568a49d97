package channel_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
)

func TestPrefer(t *testing.T) {
	route := []string{"whatsapp", "eum", "twilio"}
	tests := []struct {
		name   string
		list   []string
		prefer string
		want   []string
	}{
		{"no preference", route, "", route},
		{"sms first, each group in order", route, "sms", []string{"eum", "twilio", "whatsapp"}},
		{"already first", route, "whatsapp", route},
		{"whatsapp moved up", []string{"sns", "whatsapp", "twilio"}, "whatsapp", []string{"whatsapp", "sns", "twilio"}},
		{"route without whatsapp: the wish is ignored", []string{"sns", "twilio"}, "whatsapp", []string{"sns", "twilio"}},
		{"unknown channel ignored", route, "pigeon", route},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := strings.Join(tt.list, ",")
			if diff := cmp.Diff(tt.want, channel.Prefer(tt.list, tt.prefer)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if strings.Join(tt.list, ",") != before {
				t.Errorf("Prefer changed its argument")
			}
		})
	}
}

func TestFirst(t *testing.T) {
	p := channel.Plan{Default: []string{"twilio", "sns"}, Routes: map[string][]string{"IN": {"whatsapp", "eum", "twilio"}, "BR": {"whatsapp", "sns"}}}
	firsts := []struct{ country, prefer, want string }{
		{"IN", "", "whatsapp"},
		{"IN", "sms", "sms"},
		{"in", "whatsapp", "whatsapp"},
		{"US", "whatsapp", "sms"}, // the default order has no WhatsApp
		{"BR", "", "whatsapp"},
	}
	for _, f := range firsts {
		if got := p.First(f.country, f.prefer); got != f.want {
			t.Errorf("First(%s, %q) = %s, want %s", f.country, f.prefer, got, f.want)
		}
	}
	if got := (channel.Plan{}).First("IN", "whatsapp"); got != "sms" {
		t.Errorf("empty plan: First = %s, want sms", got)
	}
}
