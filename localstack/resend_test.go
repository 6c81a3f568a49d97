package localstack_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

// A sign-in through the local stack whose first provider's carrier drops
// every SMS: the drop comes back as an undelivered receipt through the
// receipt handling, the delivery check finds no delivery, and the same
// code arrives through the second provider, which signs the user in.
func TestSimulatedDropIsResent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			l := start(t, b, map[string]string{"SMS_DELIVERY_TIMEOUT": "1s", "SMS_RESEND_MIN_LIFE": "0s"}, func(o *localstack.Options) {
				o.Simulate = []localstack.SimulatedProvider{{Name: "a", Share: 0, Delay: 50 * time.Millisecond}, {Name: "b", Share: 1, Delay: 50 * time.Millisecond}}
			})
			phone := number(t)
			l.signUp(t, phone)
			c := l.mustInitiate(t, phone)
			code := l.code(t, phone, 1)
			msgs := l.messages(t, phone)
			if !strings.HasPrefix(msgs[0].ID, "b-") {
				t.Errorf("the SMS that arrived came through %q, want the resend through b", msgs[0].ID)
			}
			if !strings.Contains(l.logs.String(), "simulated carrier dropped an SMS") {
				t.Error("no log of a's carrier dropping the first SMS")
			}
			out, err := l.respond(c, code)
			if err != nil || out.AuthenticationResult == nil {
				t.Fatalf("sign-in with the resent code: %v", err)
			}
			l.quiet(t, phone, 1)
		})
	}
}

// POST /receipts/twilio takes Twilio status callbacks signed with
// TWILIO_AUTH_TOKEN for the stack's own URL, and refuses others.
func TestTwilioReceiptsEndpoint(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	l := start(t, backends[0], map[string]string{localstack.EnvTwilioAuthToken: token})
	target := l.stack.URL() + localstack.TwilioReceiptsPath
	body := "MessageSid=SM" + strings.Repeat("a", 32) + "&MessageStatus=delivered&AccountSid=AC" + strings.Repeat("b", 32) + "&To=%2B14155550123"
	cases := []struct {
		name string
		sig  string
		want int
	}{
		{"signed", twilioSign(token, target, body), http.StatusNoContent},
		{"forged", twilioSign("another-token", target, body), http.StatusForbidden},
		{"for another URL", twilioSign(token, "https://elsewhere.example/receipts/twilio", body), http.StatusForbidden},
		{"unsigned", "", http.StatusForbidden},
	}
	for _, tc := range cases {
		if got := post(t, target, body, tc.sig); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := post(t, target, strings.Repeat("x", 1<<20), twilioSign(token, target, "")); got != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MB body: status %d, want 413", got)
	}
	off := start(t, backends[0], nil)
	if got := post(t, off.stack.URL()+localstack.TwilioReceiptsPath, body, twilioSign(token, target, body)); got != http.StatusNotFound {
		t.Errorf("without TWILIO_AUTH_TOKEN: status %d, want 404", got)
	}
}

func twilioSign(token, target, body string) string {
	return testutil.TwilioSignature(token, target, []byte(body))
}

func post(t *testing.T, target, body, sig string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
