package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakessm"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing/ssmparam"
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
		{args: "routing disable sns", code: 1, out: "disables every provider", value: `{"disabled":["twilio"]}`},
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
