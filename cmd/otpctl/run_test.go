package main

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakessm"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing/ssmparam"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

const param = "/otp/prod/routing"

// The commands run against the real SDK client and a fake Parameter Store
// speaking the SSM JSON 1.1 protocol; each step checks the exit code, what
// the parameter holds after it, and that a refused value was never written.
func TestRouting(t *testing.T) {
	fake := fakessm.New(t)
	c := fake.Client()
	st := store{ssmparam.NewReader(c), ssmparam.NewWriter(c)}
	env := map[string]string{"SMS_ROUTING_PARAMETER": param, "SMS_PROVIDERS": "twilio,sns"}
	steps := []struct {
		args      string
		stdin     string
		code      int
		out       string // in stdout (or stderr for a failure)
		value     string // the parameter after the step; "" for absent
		setBefore string // written straight to the store first
	}{
		{args: "routing show", out: "does not exist"},
		{args: "routing disable twilio", out: "version 1", value: `{"disabled":["twilio"]}`},
		{args: "routing show", out: "valid", value: `{"disabled":["twilio"]}`},
		{args: "routing disable sns", code: 1, out: "every provider of it is disabled", value: `{"disabled":["twilio"]}`},
		{args: "routing disable pigeon", code: 1, out: "not a provider", value: `{"disabled":["twilio"]}`},
		{args: "routing enable twilio", out: "version 2", value: `{}`},
		{args: "routing set {\"providers\":[\"sns\",\"pigeon\"]}", code: 1, out: "providers:", value: `{}`},
		{args: "routing set {\"disabled\":[\"sns\"],\"colour\":1}", code: 1, out: "unknown field", value: `{}`},
		{args: "routing set -", stdin: `{"providers":["SNS","twilio"],"routes":{"br":["twilio"]},"rates":{"sns":20},"measured":false}`, out: "version 3",
			value: `{"providers":["sns","twilio"],"routes":{"BR":["twilio"]},"rates":{"sns":20},"measured":false}`},
		{setBefore: `{"disabled":["twilio","sns"]}`, args: "routing show", out: "REFUSED", value: `{"disabled":["twilio","sns"]}`},
		{args: "routing enable sns", code: 1, out: "fix it with set", value: `{"disabled":["twilio","sns"]}`},
		{args: "routing -parameter /other show", out: "/other does not exist", value: `{"disabled":["twilio","sns"]}`},
		{args: "routing", code: 2, out: "usage", value: `{"disabled":["twilio","sns"]}`},
		{args: "routing frobnicate", code: 2, out: "usage", value: `{"disabled":["twilio","sns"]}`},
		{args: "status", code: 2, out: "usage", value: `{"disabled":["twilio","sns"]}`},
	}
	for _, s := range steps {
		if s.setBefore != "" {
			fake.Set(param, s.setBefore)
		}
		puts := fake.Calls("PutParameter")
		var stdout, stderr bytes.Buffer
		args := strings.Fields(s.args) // no JSON below holds a space
		code := run(context.Background(), args, func(k string) string { return env[k] }, st, strings.NewReader(s.stdin), &stdout, &stderr)
		shown := stdout.String() + stderr.String()
		if code != s.code || !strings.Contains(shown, s.out) {
			t.Errorf("%s: exit %d, output %q; want exit %d and %q", s.args, code, shown, s.code, s.out)
		}
		got, _ := fake.Value(param)
		if got != s.value {
			t.Errorf("%s: parameter %q, want %q", s.args, got, s.value)
		}
		if code != 0 && fake.Calls("PutParameter") != puts {
			t.Errorf("%s: failed, yet wrote", s.args)
		}
	}
}

// TestAgreesWithTheWorker: for each environment plan and value, otpctl
// writes exactly what a worker deployed with that environment puts in
// force (routing.Overrides over the same parameter), and refuses the rest.
func TestAgreesWithTheWorker(t *testing.T) {
	tests := []struct {
		name, providers, routes, args string
		accept                        bool
		in                            []string // the worker's IN order after it, when accepted
	}{
		{"outage: the only provider of a route disabled falls back", "twilio,sns", "IN=twilio", "disable twilio", true, []string{"sns"}},
		{"whatsapp-only route disabled falls back to SMS", "sns", "IN=whatsapp", "disable whatsapp", true, []string{"sns"}},
		{"a route's provider not in SMS_PROVIDERS may be disabled", "sns", "IN=whatsapp,sns", "disable whatsapp", true, []string{"sns"}},
		{"every default provider off", "twilio,sns", "IN=twilio", `set {"disabled":["twilio","sns"]}`, false, nil},
		{"a provider the worker did not build", "twilio,sns", "", `set {"providers":["eum"]}`, false, nil},
		{"a route over the worker's", "twilio,sns", "IN=twilio", `set {"routes":{"IN":["sns"]}}`, true, []string{"sns"}},
		{"not a country", "twilio,sns", "", `set {"routes":{"XX":["sns"]}}`, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakessm.New(t)
			c := fake.Client()
			env := map[string]string{"SMS_ROUTING_PARAMETER": param, "SMS_PROVIDERS": tc.providers, "SMS_ROUTES": tc.routes}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"routing"}, strings.Fields(tc.args)...), func(k string) string { return env[k] },
				store{ssmparam.NewReader(c), ssmparam.NewWriter(c)}, strings.NewReader(""), &stdout, &stderr)
			if (code == 0) != tc.accept {
				t.Fatalf("otpctl exit %d (%s), want accepted %v", code, stderr.String(), tc.accept)
			}
			if !tc.accept {
				// What otpctl refused, written by hand: the worker refuses it too.
				fake.Set(param, strings.TrimPrefix(tc.args, "set "))
			}
			base, known := workerPlan(t, tc.providers, tc.routes)
			var applied []routing.Plan
			o, err := routing.NewOverrides(base, known, ssmparam.NewReader(c), param, 30*time.Second, routing.Env{}, func(p routing.Plan) { applied = append(applied, p) })
			if err != nil {
				t.Fatal(err)
			}
			p := o.Fetch(context.Background())
			if accepted := len(applied) == 2; accepted != tc.accept {
				t.Fatalf("worker accepted %v, otpctl %v", accepted, tc.accept)
			}
			if tc.accept && !slices.Equal(p.List("IN"), tc.in) {
				t.Errorf("worker's IN order %v, want %v", p.List("IN"), tc.in)
			}
		})
	}
}

// workerPlan is the sms-worker's base plan and built providers for an
// environment, as worker.SettingsFromEnv reads it.
func workerPlan(t *testing.T, providers, routes string) (routing.Plan, []string) {
	t.Helper()
	env := map[string]string{"SMS_PROVIDERS": providers, "SMS_ROUTES": routes, "OTP_TABLE_NAME": "t", "OTP_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/q",
		"OTP_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/1/dlq", "OTP_SECRET": "ssm:/otp/pepper"}
	s, err := worker.SettingsFromEnv(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Plan()
	// As cmd/sms-worker does: only the providers built keep a rate.
	maps.DeleteFunc(p.Rates, func(name string, _ float64) bool { return !slices.Contains(p.Names(), name) })
	return p, p.Names()
}

func TestEnvironmentPlanRequired(t *testing.T) {
	for _, env := range []map[string]string{
		{"SMS_ROUTING_PARAMETER": param},
		{"SMS_ROUTING_PARAMETER": param, "SMS_PROVIDERS": "sns,pigeon"},
		{"SMS_ROUTING_PARAMETER": param, "SMS_PROVIDERS": "sns", "SMS_ROUTES": "IN"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"routing", "show"}, func(k string) string { return env[k] }, store{}, strings.NewReader(""), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "SMS_") {
			t.Errorf("%v: exit %d, %q; want 2 naming the variable", env, code, stderr.String())
		}
	}
}
