package routing_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakessm"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing/ssmparam"
)

const paramName = "/otp/routing"

var envPlan = routing.Plan{Providers: []string{"twilio", "sns"}, Routes: map[string][]string{"IN": {"sns", "twilio"}}, Rates: map[string]float64{"twilio": 3, "sns": 3}}

func TestOverridesFromSSM(t *testing.T) {
	fake := fakessm.New(t)
	client := fake.Client()
	now := t0
	var logs bytes.Buffer
	rec := &recorder{}
	var applied []routing.Plan
	o, err := routing.NewOverrides(envPlan, []string{"twilio", "sns"}, ssmparam.NewReader(client), paramName, 30*time.Second,
		routing.Env{Now: func() time.Time { return now }, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Metrics: rec},
		func(p routing.Plan) { applied = append(applied, p) })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := func(step string, p routing.Plan) {
		t.Helper()
		if d := cmp.Diff(p, o.Plan(ctx)); d != "" {
			t.Errorf("%s (-want +got):\n%s", step, d)
		}
	}

	// No parameter: the environment's plan.
	want("no parameter", envPlan)

	// A good value, after the cache's 30 s.
	fake.Set(paramName, `{"disabled":["twilio"],"rates":{"sns":20}}`)
	want("cached", envPlan)
	now = now.Add(30 * time.Second)
	good := envPlan
	good.Disabled, good.Rates = []string{"twilio"}, map[string]float64{"twilio": 3, "sns": 20}
	want("override", good)
	if got := o.Plan(ctx).List("US"); !slices.Equal(got, []string{"sns"}) {
		t.Errorf("US list with twilio disabled: %v", got)
	}

	// Bad values: each refused, the last good plan stays.
	bad := []string{
		`{"disabled":["twilio","sns"]}`,           // nothing left on
		`{"providers":["pigeon"]}`,                // not a provider the worker built
		`{"routes":{"XX":["sns"]}}`,               // not a country
		`{"rates":{"sns":0}}`,                     // out of bounds
		`{"disabled":["twilio"],"extra":true}`,    // unknown field
		`{"disabled":["twilio"]`,                  // not JSON
		`{"providers":["sns","sns"]}`,             // twice
		`{"disabled":["twilio"]} {"disabled":[]}`, // two values
	}
	for i, v := range bad {
		fake.Set(paramName, v)
		now = now.Add(30 * time.Second)
		want("bad value "+v, good)
		if got := rec.count("RoutingOverrideRefused"); got != i+1 {
			t.Errorf("after %s: RoutingOverrideRefused %d, want %d", v, got, i+1)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"routing parameter refused; keeping the last good plan"`) {
		t.Errorf("refusal not logged:\n%s", logs.String())
	}

	// SSM failing: the last good plan stays, counted.
	fake.Fail("GetParameter", "ThrottlingException", http.StatusBadRequest)
	now = now.Add(30 * time.Second)
	want("ssm throttled", good)
	if rec.count("RoutingParameterFailed") != 1 {
		t.Errorf("RoutingParameterFailed %d, want 1", rec.count("RoutingParameterFailed"))
	}
	fake.Fail("GetParameter", "", 0)

	// Fixed, then deleted: back to the environment's plan.
	fake.Set(paramName, `{"measured":false,"providers":["sns","twilio"]}`)
	now = now.Add(30 * time.Second)
	pinned := envPlan
	off := false
	pinned.Providers, pinned.Measured = []string{"sns", "twilio"}, &off
	want("pinned", pinned)
	if len(applied) != 3 || applied[0].Disabled != nil || !cmp.Equal(applied[2], pinned) {
		t.Errorf("onChange calls: %+v", applied)
	}
	calls := fake.Calls("GetParameter")
	for range 100 {
		o.Plan(ctx)
	}
	if fake.Calls("GetParameter") != calls {
		t.Errorf("GetParameter called within the TTL")
	}
}
