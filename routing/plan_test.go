package routing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
)

var known = []string{"sns", "twilio", "console"}

// TestOneRuleForBothSources: the environment's strings and the parameter's
// JSON become the same plan and break the same rules.
func TestOneRuleForBothSources(t *testing.T) {
	tests := []struct {
		providers, routes string // environment form
		json              string
		wantFields        []string
	}{
		{"Twilio, sns", "in=sns; BR=twilio,console", `{"providers":["Twilio"," sns"],"routes":{"in":["sns"],"BR":["twilio","console"]}}`, nil},
		{"sns,pigeon", "", `{"providers":["sns","pigeon"]}`, []string{"providers"}},
		{"sns,sns", "", `{"providers":["sns","sns"]}`, []string{"providers"}},
		{"sns", "IN=", `{"providers":["sns"],"routes":{"IN":[]}}`, []string{"routes.IN"}},
		{"sns", "INDIA=sns", `{"providers":["sns"],"routes":{"India":["sns"]}}`, []string{"routes.INDIA"}},
		{"sns", "XX=sns", `{"providers":["sns"],"routes":{"XX":["sns"]}}`, []string{"routes.XX"}},
	}
	for _, tc := range tests {
		routes, probs := routing.ParseRoutes(tc.routes)
		if probs != nil {
			t.Fatalf("%s: %v", tc.routes, probs)
		}
		fromEnv := routing.Plan{Providers: routing.ParseList(tc.providers), Routes: routes}
		if len(routes) == 0 {
			fromEnv.Routes = nil
		}
		fromJSON, err := routing.ParseJSON([]byte(tc.json))
		if err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		if d := cmp.Diff(fromEnv, fromJSON, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s: env and JSON differ (-env +json):\n%s", tc.json, d)
		}
		var fields []string
		for _, p := range fromJSON.Check(known) {
			fields = append(fields, p.Field)
		}
		if !slices.Equal(fields, tc.wantFields) {
			t.Errorf("%s: problems in %v, want %v", tc.json, fields, tc.wantFields)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		json  string
		field string // "" for a plan that passes
	}{
		{`{}`, ""},
		{`{"disabled":["twilio"]}`, ""},
		{`{"providers":["sns","twilio"],"disabled":["twilio"],"routes":{"BR":["twilio","sns"]},"rates":{"sns":0.5},"measured":false}`, ""},
		{`{"providers":["twilio"],"disabled":["twilio"]}`, "providers"},
		// A route whose every provider is disabled falls back to the
		// providers' order (List), so an outage can switch off a country's
		// only route; without that order to fall back on it is refused.
		{`{"providers":["sns"],"routes":{"BR":["twilio"]},"disabled":["twilio"]}`, ""},
		{`{"routes":{"BR":["twilio"]},"disabled":["twilio"]}`, "routes.BR"},
		{`{"disabled":["pigeon"]}`, "disabled"},
		{`{"rates":{"pigeon":1}}`, "rates.pigeon"},
		{`{"rates":{"sns":0.001}}`, "rates.sns"},
		{`{"rates":{"sns":20000}}`, "rates.sns"},
	}
	for _, tc := range tests {
		p, err := routing.ParseJSON([]byte(tc.json))
		if err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		probs := p.Check(known)
		switch {
		case tc.field == "" && probs != nil:
			t.Errorf("%s: %v", tc.json, probs)
		case tc.field != "" && (len(probs) != 1 || probs[0].Field != tc.field):
			t.Errorf("%s: %v, want one problem in %s", tc.json, probs, tc.field)
		}
	}
}

func TestParseJSONRefuses(t *testing.T) {
	for _, v := range []string{``, `[]`, `{"providers":"sns"}`, `{"Providers":["sns"],"x":1}`, `{} {}`, `{"rates":{"sns":"fast"}}`, `{"disabled":["` + strings.Repeat("x", 5000) + `"]}`} {
		if _, err := routing.ParseJSON([]byte(v)); err == nil {
			t.Errorf("accepted %.40q", v)
		}
	}
}

func TestOverAndList(t *testing.T) {
	base := routing.Plan{Providers: []string{"twilio", "sns"}, Routes: map[string][]string{"IN": {"sns"}}, Rates: map[string]float64{"sns": 3, "twilio": 3}}
	over, err := routing.ParseJSON([]byte(`{"routes":{},"disabled":["twilio"],"rates":{"sns":10}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := base.Over(over)
	want := routing.Plan{Providers: []string{"twilio", "sns"}, Routes: map[string][]string{}, Disabled: []string{"twilio"}, Rates: map[string]float64{"sns": 10, "twilio": 3}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if base.Rates["sns"] != 3 {
		t.Error("Over changed the base's rates")
	}
	if l := got.List("IN"); !slices.Equal(l, []string{"sns"}) {
		t.Errorf("IN list %v: routes cleared, twilio disabled", l)
	}
	if l := base.List("IN"); !slices.Equal(l, []string{"sns"}) {
		t.Errorf("base IN list %v", l)
	}
}

func TestRouteFallsBack(t *testing.T) {
	p := routing.Plan{Providers: []string{"twilio", "sns"}, Routes: map[string][]string{"IN": {"twilio"}, "BR": {"whatsapp", "twilio"}, "ID": {"eum"}}, Disabled: []string{"twilio", "whatsapp"}}
	for country, want := range map[string][]string{"IN": {"sns"}, "BR": {"sns"}, "ID": {"eum"}, "US": {"sns"}} {
		if got := p.List(country); !slices.Equal(got, want) {
			t.Errorf("List(%s) = %v, want %v", country, got, want)
		}
	}
	if got := p.FallingBack(); !slices.Equal(got, []string{"BR", "IN"}) {
		t.Errorf("FallingBack = %v", got)
	}
	if probs := p.Check(channelProviders); probs != nil {
		t.Errorf("Check: %v", probs)
	}
	if got := p.Names(); !slices.Equal(got, []string{"eum", "sns", "twilio", "whatsapp"}) {
		t.Errorf("Names = %v", got)
	}
}

var channelProviders = []string{"sns", "twilio", "console", "whatsapp", "eum"}

func TestEnvField(t *testing.T) {
	for field, want := range map[string]string{"providers": "SMS_PROVIDERS", "routes.BR": "SMS_ROUTES", "routes": "SMS_ROUTES", "rates.sns": "SMS_RATE_SNS"} {
		if got := routing.EnvField(field); got != want {
			t.Errorf("EnvField(%s) = %s, want %s", field, got, want)
		}
	}
}
