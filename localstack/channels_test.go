package localstack_test

import (
	"strings"
	"testing"
)

// With SMS_PROVIDERS and SMS_ROUTES set, the local stack shows which
// channel and provider a deployment would use: in the challenge parameters
// Create returns, on the console and in the outbox.
func TestLocalStackShowsTheChannel(t *testing.T) {
	l := start(t, backends[0], map[string]string{"SMS_PROVIDERS": "twilio", "SMS_ROUTES": "US=whatsapp,eum"})
	phone := number(t)
	l.signUp(t, phone)
	c := l.mustInitiate(t, phone)
	if got := c.params["channel"]; got != "whatsapp" {
		t.Errorf("challenge parameter channel = %q, want whatsapp", got)
	}
	l.code(t, phone, 1)
	msgs := l.messages(t, phone)
	if len(msgs) != 1 || msgs[0].Channel != "whatsapp" || msgs[0].Provider != "whatsapp" {
		t.Fatalf("outbox %+v, want one message by whatsapp", msgs)
	}
	if out := l.sms.String(); !strings.Contains(out, "whatsapp via=whatsapp ") {
		t.Errorf("console %q does not say whatsapp", out)
	}
}
