package routing_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
)

// planFromEnv is what the worker and Create do with the variables.
func planFromEnv(e *config.Env, required bool) routing.Plan {
	p := routing.PlanFromEnv(e, required)
	routing.CheckEnv(e, p)
	return p
}

func TestPlanFromEnv(t *testing.T) {
	env := map[string]string{
		"SMS_PROVIDERS": "twilio, sns",
		"SMS_ROUTES":    "in=WhatsApp,eum,twilio; BR=whatsapp,sns",
	}
	e := config.New(func(k string) string { return env[k] })
	p := planFromEnv(e, true)
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	want := routing.Plan{Providers: []string{"twilio", "sns"}, Routes: map[string][]string{"IN": {"whatsapp", "eum", "twilio"}, "BR": {"whatsapp", "sns"}}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPlanFromEnvErrors(t *testing.T) {
	tests := []struct {
		env      map[string]string
		required bool
		want     string
	}{
		{map[string]string{}, true, "SMS_PROVIDERS"},
		{map[string]string{"SMS_PROVIDERS": "telegram"}, false, "SMS_PROVIDERS"},
		{map[string]string{"SMS_PROVIDERS": "eum,eum"}, false, "SMS_PROVIDERS"},
		{map[string]string{"SMS_ROUTES": "India=whatsapp"}, false, "SMS_ROUTES"},
		{map[string]string{"SMS_ROUTES": "IN="}, false, "SMS_ROUTES"},
		{map[string]string{"SMS_ROUTES": "IN"}, false, "SMS_ROUTES"},
	}
	for _, tt := range tests {
		e := config.New(func(k string) string { return tt.env[k] })
		planFromEnv(e, tt.required)
		if err := e.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one naming %s", tt.env, err, tt.want)
		}
	}
	e := config.New(func(string) string { return "" })
	planFromEnv(e, false)
	if err := e.Err(); err != nil {
		t.Errorf("optional and unset: %v", err)
	}
}
