package receipts_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
)

// sign is X-Twilio-Signature as Twilio documents it (an implementation of
// our own, not the validator's): base64(HMAC-SHA1(auth token, the full URL
// followed by every POST parameter's name and value, sorted by name)).
func sign(token, rawURL string, body []byte) string {
	return testutil.TwilioSignature(token, rawURL, body)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// request is the function URL request fixture with body (base64-encoded,
// as function URLs pass form bodies) and signature.
func request(t *testing.T, body []byte, signature string) events.LambdaFunctionURLRequest {
	t.Helper()
	var req events.LambdaFunctionURLRequest
	if err := json.Unmarshal(fixture(t, "function-url-request.json"), &req); err != nil {
		t.Fatal(err)
	}
	req.Body = base64.StdEncoding.EncodeToString(body)
	if signature == "" {
		delete(req.Headers, "x-twilio-signature")
	} else {
		req.Headers["x-twilio-signature"] = signature
	}
	return req
}

func signed(t *testing.T, body []byte) events.LambdaFunctionURLRequest {
	return request(t, body, sign(authToken, callbackURL, body))
}

var twilioConfig = receipts.TwilioConfig{CallbackURL: callbackURL, AuthToken: authToken}

func TestTwilioDelivered(t *testing.T) {
	r := newRig(t, twilioConfig)
	m := r.sent("twilio", twilioSID, "US", r.clock.Now())
	r.clock.Advance(3 * time.Second)
	if got := r.h.HandleTwilio(context.Background(), signed(t, fixture(t, "twilio-sent.form"))); got.StatusCode != 204 {
		t.Fatalf("sent: status %d", got.StatusCode)
	}
	r.clock.Advance(2 * time.Second)
	if got := r.h.HandleTwilio(context.Background(), signed(t, fixture(t, "twilio-delivered.form"))); got.StatusCode != 204 {
		t.Fatalf("delivered: status %d", got.StatusCode)
	}
	want := delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: 5 * time.Second}
	if diff := cmp.Diff(want, r.tally("twilio", "US")); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	em := r.emitted()
	if em["Delivered{Country=US,Provider=twilio}"] != 1 || em["TimeToDelivered{Country=US,Provider=twilio}"] != 5000 {
		t.Errorf("metrics %v, want Delivered and TimeToDelivered=5000 for twilio/US", em)
	}
	if !strings.Contains(r.logs.String(), m.ChallengeID) {
		t.Error("the applied receipt's log line does not name the challenge")
	}
}

func TestTwilioUndeliveredByErrorCode(t *testing.T) {
	r := newRig(t, twilioConfig)
	r.sent("twilio", twilioSID, "US", r.clock.Now())
	if got := r.h.HandleTwilio(context.Background(), signed(t, fixture(t, "twilio-undelivered.form"))); got.StatusCode != 204 {
		t.Fatalf("status %d", got.StatusCode)
	}
	want := delivery.Tally{Sent: 1, Undelivered: 1, Codes: map[string]int64{"30007": 1}}
	if diff := cmp.Diff(want, r.tally("twilio", "US")); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	if n := r.emitted()["Undelivered{Country=US,ErrorCode=30007,Provider=twilio}"]; n != 1 {
		t.Errorf("Undelivered{twilio,US,30007} = %v, want 1", n)
	}
}

// Refused callbacks answer before the ledger: nothing changes, and each
// refusal is counted by reason.
func TestTwilioRefusals(t *testing.T) {
	delivered := fixture(t, "twilio-delivered.form")
	huge := []byte("MessageSid=" + twilioSID + "&MessageStatus=delivered&Pad=" + strings.Repeat("a", 1<<20))
	nonUTF8 := []byte("MessageSid=" + twilioSID + "&MessageStatus=delivered&To=%2B1415555%FF0123")
	rawNonUTF8 := []byte("MessageSid=" + twilioSID + "&MessageStatus=delivered&From=Acme\xff")
	tests := []struct {
		name   string
		req    func(t *testing.T) events.LambdaFunctionURLRequest
		status int
		reason string
	}{
		{"missing signature", func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, delivered, "") }, 403, "no-signature"},
		{"signed with another token", func(t *testing.T) events.LambdaFunctionURLRequest {
			return request(t, delivered, sign("ffffffffffffffffffffffffffffffff", callbackURL, delivered))
		}, 403, "bad-signature"},
		{"signed for another URL", func(t *testing.T) events.LambdaFunctionURLRequest {
			return request(t, delivered, sign(authToken, "https://attacker.example/receipts", delivered))
		}, 403, "bad-signature"},
		{"body changed after signing", func(t *testing.T) events.LambdaFunctionURLRequest {
			sig := sign(authToken, callbackURL, delivered)
			return request(t, []byte(strings.Replace(string(delivered), "MessageStatus=delivered", "MessageStatus=failed", 1)), sig)
		}, 403, "bad-signature"},
		{"signature not base64", func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, delivered, "%%%") }, 403, "bad-signature"},
		{"signed without MessageSid", func(t *testing.T) events.LambdaFunctionURLRequest {
			return signed(t, []byte("MessageStatus=delivered&To=%2B14155550123"))
		}, 400, "missing-fields"},
		{"signed without MessageStatus", func(t *testing.T) events.LambdaFunctionURLRequest {
			return signed(t, []byte("MessageSid="+twilioSID))
		}, 400, "missing-fields"},
		{"signed with a bad ErrorCode", func(t *testing.T) events.LambdaFunctionURLRequest {
			return signed(t, []byte("MessageSid="+twilioSID+"&MessageStatus=undelivered&ErrorCode=x%20y"))
		}, 400, "malformed"},
		{"a repeated field appended to a signed body", func(t *testing.T) events.LambdaFunctionURLRequest {
			// The validator checks first values only, so the signature
			// still matches; the second value is not trusted.
			return request(t, append(append([]byte{}, delivered...), "&MessageStatus=failed"...), sign(authToken, callbackURL, delivered))
		}, 400, "malformed"},
		{"1 MB body", func(t *testing.T) events.LambdaFunctionURLRequest { return signed(t, huge) }, 413, "too-large"},
		{"1 MB body, not base64", func(t *testing.T) events.LambdaFunctionURLRequest {
			req := signed(t, huge)
			req.Body, req.IsBase64Encoded = string(huge), false
			return req
		}, 413, "too-large"},
		{"signed non-UTF-8", func(t *testing.T) events.LambdaFunctionURLRequest { return signed(t, nonUTF8) }, 400, "not-utf8"},
		{"signed raw non-UTF-8 bytes", func(t *testing.T) events.LambdaFunctionURLRequest { return signed(t, rawNonUTF8) }, 400, "not-utf8"},
		{"unsigned non-UTF-8", func(t *testing.T) events.LambdaFunctionURLRequest {
			return request(t, nonUTF8, sign("ffffffffffffffffffffffffffffffff", callbackURL, nonUTF8))
		}, 403, "bad-signature"},
		{"GET", func(t *testing.T) events.LambdaFunctionURLRequest {
			req := signed(t, delivered)
			req.RequestContext.HTTP.Method = "GET"
			return req
		}, 405, "method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, twilioConfig)
			r.sent("twilio", twilioSID, "US", r.clock.Now())
			if got := r.h.HandleTwilio(context.Background(), tc.req(t)); got.StatusCode != tc.status {
				t.Errorf("status %d, want %d", got.StatusCode, tc.status)
			}
			if diff := cmp.Diff(delivery.Tally{Sent: 1}, r.tally("twilio", "US")); diff != "" {
				t.Errorf("tally changed (-want +got):\n%s", diff)
			}
			want := map[string]float64{"ReceiptRejected{Reason=" + tc.reason + ",Source=twilio}": 1}
			if diff := cmp.Diff(want, r.emitted()); diff != "" {
				t.Errorf("metrics (-want +got):\n%s", diff)
			}
		})
	}
}

// A replayed callback (Twilio's signatures carry no time) and a late
// "sent" after "delivered" change nothing and are counted as stale.
func TestTwilioReplayedAndOutOfOrder(t *testing.T) {
	r := newRig(t, twilioConfig)
	r.sent("twilio", twilioSID, "US", r.clock.Now())
	r.clock.Advance(time.Second)
	deliveredReq := signed(t, fixture(t, "twilio-delivered.form"))
	for i, req := range []events.LambdaFunctionURLRequest{
		deliveredReq,
		deliveredReq, // replayed
		signed(t, fixture(t, "twilio-sent.form")),        // late
		signed(t, fixture(t, "twilio-undelivered.form")), // after a final state
	} {
		if got := r.h.HandleTwilio(context.Background(), req); got.StatusCode != 204 {
			t.Errorf("callback %d: status %d", i, got.StatusCode)
		}
	}
	want := delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: time.Second}
	if diff := cmp.Diff(want, r.tally("twilio", "US")); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	if em := r.emitted(); em["ReceiptStale{Provider=twilio}"] != 3 || em["Delivered{Country=US,Provider=twilio}"] != 1 {
		t.Errorf("metrics %v, want 1 Delivered and 3 ReceiptStale", em)
	}
}

func TestTwilioUnknownAndIgnored(t *testing.T) {
	r := newRig(t, twilioConfig)
	for _, body := range []string{
		"MessageSid=SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb&MessageStatus=delivered&To=%2B14155550123", // never sent by us
		"MessageSid=" + twilioSID + "&MessageStatus=received",                                     // inbound: not a receipt
	} {
		if got := r.h.HandleTwilio(context.Background(), signed(t, []byte(body))); got.StatusCode != 204 {
			t.Errorf("%s: status %d, want 204", body, got.StatusCode)
		}
	}
	want := map[string]float64{"ReceiptUnknown{Provider=twilio}": 1, "ReceiptIgnored{Source=twilio}": 1}
	if diff := cmp.Diff(want, r.emitted()); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// The validator accepts the URL with or without its default port, as
// Twilio signs either; a plain (not base64) body works too.
func TestTwilioURLWithPortAndPlainBody(t *testing.T) {
	r := newRig(t, twilioConfig)
	r.sent("twilio", twilioSID, "US", r.clock.Now())
	body := fixture(t, "twilio-delivered.form")
	req := request(t, body, sign(authToken, strings.Replace(callbackURL, ".on.aws/", ".on.aws:443/", 1), body))
	req.Body, req.IsBase64Encoded = string(body), false
	if got := r.h.HandleTwilio(context.Background(), req); got.StatusCode != 204 {
		t.Fatalf("status %d", got.StatusCode)
	}
	if got := r.tally("twilio", "US"); got.Delivered != 1 {
		t.Errorf("tally %+v, want delivered", got)
	}
}

func TestTwilioNotConfigured(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	if got := r.h.HandleTwilio(context.Background(), signed(t, fixture(t, "twilio-delivered.form"))); got.StatusCode != 404 {
		t.Errorf("status %d, want 404", got.StatusCode)
	}
}

func TestInvokeDispatches(t *testing.T) {
	r := newRig(t, twilioConfig)
	r.sent("twilio", twilioSID, "US", r.clock.Now())
	raw, _ := json.Marshal(signed(t, fixture(t, "twilio-delivered.form")))
	out, err := r.h.Invoke(context.Background(), raw)
	if resp, ok := out.(events.LambdaFunctionURLResponse); err != nil || !ok || resp.StatusCode != 204 {
		t.Errorf("function URL event: %#v, %v", out, err)
	}
	for _, raw := range []string{`{}`, `[]`, `{"Records":[]}`, `not json`} {
		if _, err := r.h.Invoke(context.Background(), json.RawMessage(raw)); err == nil {
			t.Errorf("%s: no error", raw)
		}
	}
}
