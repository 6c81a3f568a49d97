package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWorkerFromEnv(t *testing.T) {
	env := map[string]string{
		EnvProviders:         "Twilio, sns",
		EnvRoutes:            "in=sns; BR=twilio,console",
		EnvDLQURL:            "https://sqs.us-east-1.amazonaws.com/1/dlq",
		EnvBackoffBase:       "1s",
		EnvBackoffMax:        "10s",
		EnvConcurrency:       "4",
		"SMS_RATE_TWILIO":    "1",
		"SMS_TEMPLATE_PT_BR": "Seu código é {{.Code}}",
	}
	environ := []string{"SMS_RATE_TWILIO=1", "SMS_TEMPLATE_PT_BR=Seu código é {{.Code}}", "PATH=/bin"}
	w, err := WorkerFromEnv(func(k string) string { return env[k] }, environ)
	if err != nil {
		t.Fatal(err)
	}
	want := Worker{
		DLQURL:      env[EnvDLQURL],
		Providers:   []string{"twilio", "sns"},
		Routes:      map[string][]string{"IN": {"sns"}, "BR": {"twilio", "console"}},
		Rates:       map[string]float64{"twilio": 1, "sns": DefaultRate, "console": DefaultRate},
		Templates:   map[string]string{"pt-BR": "Seu código é {{.Code}}"},
		RateMaxWait: 2 * time.Second, BreakerFailures: 5, BreakerCooldown: 30 * time.Second,
		MaxAttempts: 5, ClaimStale: 30 * time.Second, BackoffBase: time.Second, BackoffMax: 10 * time.Second,
		SendTimeout: 5 * time.Second, Concurrency: 4,
	}
	if d := cmp.Diff(want, w); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestWorkerFromEnvErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		env     map[string]string
		environ []string
		want    string
	}{
		{map[string]string{}, nil, EnvProviders},
		{map[string]string{EnvProviders: "sns,pigeon"}, nil, EnvProviders},
		{map[string]string{EnvProviders: "sns,sns"}, nil, EnvProviders},
		{map[string]string{EnvProviders: "sns", EnvRoutes: "IN="}, nil, EnvRoutes},
		{map[string]string{EnvProviders: "sns", EnvRoutes: "India=sns"}, nil, EnvRoutes},
		{map[string]string{EnvProviders: "sns"}, []string{"SMS_RATE_PIGEON=3"}, "SMS_RATE_PIGEON"},
		{map[string]string{EnvProviders: "sns"}, []string{"SMS_RATE_SNS=0"}, "SMS_RATE_SNS"},
		{map[string]string{EnvProviders: "sns", EnvBackoffBase: "30s", EnvBackoffMax: "10s"}, nil, EnvBackoffMax},
		{map[string]string{EnvProviders: "sns", EnvClaimStale: "5s", EnvSendTimeout: "6s"}, nil, EnvClaimStale},
		{map[string]string{EnvProviders: "sns", EnvConcurrency: "1000"}, nil, EnvConcurrency},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, err := WorkerFromEnv(func(k string) string { return tc.env[k] }, tc.environ)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
}
