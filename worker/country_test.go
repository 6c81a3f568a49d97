package worker_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// withField is body with one top-level field set to raw JSON, or removed
// when raw is "": what a queue writer (or an older Create) could put there.
func withField(t *testing.T, body []byte, name, raw string) []byte {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatal(err)
	}
	if raw == "" {
		delete(fields, name)
	} else {
		fields[name] = json.RawMessage(raw)
	}
	out, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The worker routes by the country the message carries (Create's numbering
// plan found it) and parses no number; a message from before messages
// carried one takes its challenge's; a country that is not two upper-case
// letters makes the message malformed: dead-lettered, unsent.
func TestProcessCountry(t *testing.T) {
	cases := []struct {
		name    string
		country string // raw JSON of the field; "" removes it
		reason  string
		want    string // the country the provider is given
	}{
		{"from the message", "", worker.ReasonSent, "US"},
		// Outside the seal: a queue writer may change it, and the worker
		// follows, which only picks another country's route.
		{"the message's wins", `"GB"`, worker.ReasonSent, "GB"},
		{"absent: the challenge's", "-", worker.ReasonSent, "US"},
		{"lower case", `"us"`, worker.ReasonMalformed, ""},
		{"three letters", `"USA"`, worker.ReasonMalformed, ""},
		{"empty", `""`, worker.ReasonMalformed, ""},
		{"null", `null`, worker.ReasonMalformed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakeProvider{name: "fake"}
			h := newHarness(t, worker.DefaultConfig(), p)
			body, m, _ := h.message()
			if m.Country != "US" {
				t.Fatalf("Create enqueued country %q, want US", m.Country)
			}
			switch tc.country {
			case "":
			case "-":
				body = withField(t, body, "country", "")
			default:
				body = withField(t, body, "country", tc.country)
			}
			o := h.process(body)
			if o.Reason != tc.reason {
				t.Fatalf("outcome %+v, want %s", o, tc.reason)
			}
			sent := p.Sent()
			if tc.want == "" {
				if o.Action != worker.DeadLetter || len(sent) != 0 {
					t.Fatalf("outcome %+v, %d sent: want dead-lettered unsent", o, len(sent))
				}
				return
			}
			if len(sent) != 1 || sent[0].Country != tc.want {
				t.Fatalf("sent %+v, want one to country %s", sent, tc.want)
			}
			if !strings.Contains(h.logs.String(), `"country":"`+tc.want+`"`) {
				t.Errorf("logs do not name country %s:\n%s", tc.want, h.logs.String())
			}
		})
	}
}

// A sign-in job whose message and challenge both lack a country (both from
// before either carried one) goes by the default order: country "".
func TestProcessNoCountryAnywhere(t *testing.T) {
	p := &fakeProvider{name: "fake"}
	h := newHarness(t, worker.DefaultConfig(), p)
	ctx := context.Background()
	kr, err := h.keys.Keyring(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := h.clock.Now().UTC().Truncate(time.Millisecond)
	id, _ := otp.NewID(nil)
	keyID, mac := kr.MAC(id, "123456")
	c := otp.Challenge{ID: id, Phone: phoneFor(1), ClientID: "client", KeyID: keyID, MAC: mac,
		Locale: "en", CreatedAt: now, ExpiresAt: now.Add(3 * time.Minute), MaxAttempts: 3}
	if err := h.store.PutChallenge(ctx, c, nil, otp.PointerClaim{StaleBefore: now}); err != nil {
		t.Fatal(err)
	}
	msgID, _ := otp.NewID(nil)
	m, err := schema.NewMessage(kr, msgID, id, c.Phone, "en", "123456", now, c.ExpiresAt)
	if err != nil {
		t.Fatal(err)
	}
	body, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "country") {
		t.Fatalf("body has a country: %s", body)
	}
	if o := h.process(body); o.Reason != worker.ReasonSent {
		t.Fatalf("outcome %+v, want sent", o)
	}
	if sent := p.Sent(); len(sent) != 1 || sent[0].Country != "" {
		t.Fatalf("sent %+v, want one with no country", sent)
	}
}

// A Cognito job takes the country the custom SMS sender found; one without
// (enqueued before jobs carried it) gets the default order, as its delivery
// record has no country to fall back on.
func TestProcessCognitoSMSCountry(t *testing.T) {
	for _, tc := range []struct {
		name, raw, reason, want string
	}{
		{"from the job", `"IN"`, worker.ReasonSent, "IN"},
		{"absent: default order", "", worker.ReasonSent, ""},
		{"lower case", `"in"`, worker.ReasonMalformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakeProvider{name: "p"}
			h := newHarness(t, worker.DefaultConfig(), p)
			body := withField(t, h.cognitoJob(schema.KindSignUp, schema.CognitoSecret{Code: "123456"}, 10*time.Minute), "country", tc.raw)
			o := h.process(body)
			if o.Reason != tc.reason {
				t.Fatalf("outcome %+v, want %s", o, tc.reason)
			}
			sent := p.Sent()
			switch {
			case tc.reason != worker.ReasonSent:
				if o.Action != worker.DeadLetter || len(sent) != 0 {
					t.Fatalf("outcome %+v, %d sent: want dead-lettered unsent", o, len(sent))
				}
			case len(sent) != 1 || sent[0].Country != tc.want:
				t.Fatalf("sent %+v, want one to country %q", sent, tc.want)
			}
		})
	}
}

// A delivery check carries the job as Create enqueued it: for one without
// a country, the resend too goes by the challenge's, and the check's job
// is still the message as it came (no country written into it).
func TestResendCountryFromChallenge(t *testing.T) {
	r := newResendRig(t, worker.DefaultResendConfig())
	body, _, _ := r.message()
	o := r.process(withField(t, body, "country", ""))
	if o.Reason != worker.ReasonSent || o.Then == nil {
		t.Fatalf("first send: %+v, want sent with a delivery check", o)
	}
	if strings.Contains(string(o.Then.Body), "country") {
		t.Errorf("the check's job gained a country: %s", o.Then.Body)
	}
	r.clock.Advance(20 * time.Second)
	if o := r.process(o.Then.Body); o.Reason != worker.ReasonResent {
		t.Fatalf("check: %+v, want %s", o, worker.ReasonResent)
	}
	for _, name := range []string{"a", "b"} {
		if sent := r.sent(name); len(sent) != 1 || sent[0].Country != "US" {
			t.Errorf("through %s: %+v, want one SMS to country US", name, sent)
		}
	}
}
