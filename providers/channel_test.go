package providers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The route IN=whatsapp,eum,twilio and the default order sns,twilio, with
// users who prefer a channel or not.
func TestChainPreferAndNotOnChannel(t *testing.T) {
	notOnWA := perr("whatsapp", NotOnChannel, "63024")
	tests := []struct {
		name      string
		country   string
		prefer    string
		script    map[string][]error
		wantTrace []string
		wantKind  Kind // 0: sent
	}{
		{"route order", "IN", "", nil, []string{"whatsapp"}, 0},
		{"sms preferred: SMS providers first", "IN", "sms", nil, []string{"eum"}, 0},
		{"not on WhatsApp: the next channel", "IN", "", map[string][]error{"whatsapp": {notOnWA}}, []string{"whatsapp", "eum"}, 0},
		{"whatsapp preferred where the route has none", "US", "whatsapp", nil, []string{"sns"}, 0},
		{"sms everywhere failing after WhatsApp refused the number", "IN", "", map[string][]error{
			"whatsapp": {notOnWA}, "eum": {perr("eum", Transient, "ThrottlingException")}, "twilio": {perr("twilio", Transient, "20500")},
		}, []string{"whatsapp", "eum", "twilio"}, Transient},
		{"no channel reaches it", "IN", "", map[string][]error{
			"whatsapp": {notOnWA}, "eum": {perr("eum", NotOnChannel, "x")}, "twilio": {perr("twilio", NotOnChannel, "y")},
		}, []string{"whatsapp", "eum", "twilio"}, Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakes := map[string]*fakeProvider{}
			for _, n := range []string{"sns", "twilio", "whatsapp", "eum"} {
				fakes[n] = &fakeProvider{name: n, results: tt.script[n]}
			}
			c := mustChain(t, []Provider{fakes["sns"], fakes["twilio"]},
				map[string][]Provider{"IN": {fakes["whatsapp"], fakes["eum"], fakes["twilio"]}},
				BreakerConfig{Failures: 5, CoolDown: time.Minute}, nil)
			m := msg(tt.country)
			m.Prefer = tt.prefer
			_, trace, err := c.SendTrace(context.Background(), m)
			var got []string
			for _, a := range trace {
				got = append(got, a.Provider)
			}
			if diff := cmp.Diff(tt.wantTrace, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("providers tried (-want +got):\n%s", diff)
			}
			if (err == nil) != (tt.wantKind == 0) || (err != nil && Classify(err) != tt.wantKind) {
				t.Errorf("error %v, want kind %v", err, tt.wantKind)
			}
		})
	}
}

// A number that is not on WhatsApp says nothing about WhatsApp: its breaker
// stays closed however many such numbers come.
func TestBreakerIgnoresNotOnChannel(t *testing.T) {
	wa := &fakeProvider{name: "whatsapp", results: []error{perr("whatsapp", NotOnChannel, "63024")}}
	sms := &fakeProvider{name: "eum"}
	c := mustChain(t, []Provider{wa, sms}, nil, BreakerConfig{Failures: 2, CoolDown: time.Minute}, nil)
	for range 5 {
		if _, err := c.Send(context.Background(), msg("IN")); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := c.BreakerState("whatsapp"); st != BreakerClosed || wa.Calls() != 5 {
		t.Errorf("breaker %v after %d calls, want closed after 5", st, wa.Calls())
	}
}

func TestChainOrder(t *testing.T) {
	a, b := &fakeProvider{name: "a"}, &fakeProvider{name: "b"}
	c := mustChain(t, []Provider{a, b}, map[string][]Provider{"IN": {b}}, BreakerConfig{Failures: 1, CoolDown: time.Second}, nil)
	if diff := cmp.Diff([]string{"b"}, c.Order("in")); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, c.Order("US")); diff != "" {
		t.Error(diff)
	}
}
