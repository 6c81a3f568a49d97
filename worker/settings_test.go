package worker

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
)

// required holds the variables every case below needs besides its own.
var required = map[string]string{
	config.EnvTable:    "otp-codes",
	config.EnvQueueURL: "https://sqs.us-east-1.amazonaws.com/1/otp",
	config.EnvSecret:   "ssm:/otp/pepper",
	EnvDLQURL:          "https://sqs.us-east-1.amazonaws.com/1/dlq",
}

// withRequired is getenv over env, with the required variables it lacks.
func withRequired(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return required[k]
	}
}

func TestSettingsFromEnv(t *testing.T) {
	env := map[string]string{
		EnvProviders:         "Twilio, sns",
		EnvRoutes:            "in=sns; BR=twilio,console",
		EnvDLQURL:            "https://sqs.us-east-1.amazonaws.com/1/dlq",
		EnvBackoffBase:       "1s",
		EnvBackoffMax:        "10s",
		EnvConcurrency:       "4",
		EnvDeliveryTimeout:   "30s",
		EnvMaxSends:          "3",
		"SMS_RATE_TWILIO":    "1",
		"SMS_TEMPLATE_PT_BR": "Seu código é {{.Code}}",
	}
	environ := []string{"SMS_RATE_TWILIO=1", "SMS_TEMPLATE_PT_BR=Seu código é {{.Code}}", "PATH=/bin"}
	w, err := SettingsFromEnv(withRequired(env), environ)
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{
		Table:       required[config.EnvTable],
		QueueURL:    required[config.EnvQueueURL],
		DLQURL:      env[EnvDLQURL],
		Secret:      config.Secret{Spec: required[config.EnvSecret], CacheTTL: config.DefaultSecretCacheTTL},
		LogLevel:    slog.LevelInfo,
		Providers:   []string{"twilio", "sns"},
		Routes:      map[string][]string{"IN": {"sns"}, "BR": {"twilio", "console"}},
		Rates:       map[string]float64{"twilio": 1, "sns": DefaultRate, "console": DefaultRate, "whatsapp": DefaultRate, "eum": DefaultRate},
		Templates:   map[string]string{"pt-BR": "Seu código é {{.Code}}"},
		RateMaxWait: 2 * time.Second, BreakerFailures: 5, BreakerCooldown: 30 * time.Second,
		Config: Config{MaxAttempts: 5, ClaimStale: 30 * time.Second, BackoffBase: time.Second, BackoffMax: 10 * time.Second,
			SendTimeout: 5 * time.Second, Concurrency: 4},
		Delivery: delivery.DefaultConfig(),
		Routing:  routing.Settings{Config: routing.DefaultConfig(), ParameterTTL: routing.DefaultParameterTTL},
		Resend:   ResendConfig{Timeout: 30 * time.Second, MaxSends: 3, MinLife: 30 * time.Second},
	}
	if d := cmp.Diff(want, w); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestSettingsFromEnvErrorsNameTheVariable(t *testing.T) {
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
		{map[string]string{EnvProviders: "sns", EnvDLQURL: " "}, nil, EnvDLQURL},
		{map[string]string{EnvProviders: "sns", config.EnvTable: ""}, nil, config.EnvTable},
		{map[string]string{EnvProviders: "sns", routing.EnvExplore: "0.9"}, nil, routing.EnvExplore},
		{map[string]string{EnvProviders: "sns", routing.EnvWindow: "1m"}, nil, routing.EnvWindow},
		{map[string]string{EnvProviders: "sns", routing.EnvMinSamples: "1"}, nil, routing.EnvMinSamples},
		{map[string]string{EnvProviders: "sns", routing.EnvRefresh: "1h"}, nil, routing.EnvRefresh},
		{map[string]string{EnvProviders: "sns", routing.EnvParameter: "no spaces allowed"}, nil, routing.EnvParameter},
		{map[string]string{EnvProviders: "sns", routing.EnvParameterTTL: "0s"}, nil, routing.EnvParameterTTL},
		{map[string]string{EnvProviders: "sns", EnvDeliveryTimeout: "20m"}, nil, EnvDeliveryTimeout},
		{map[string]string{EnvProviders: "sns", EnvDeliveryTimeout: "soon"}, nil, EnvDeliveryTimeout},
		{map[string]string{EnvProviders: "sns", EnvMaxSends: "0"}, nil, EnvMaxSends},
		{map[string]string{EnvProviders: "sns", EnvMaxSends: "9"}, nil, EnvMaxSends},
		{map[string]string{EnvProviders: "sns", EnvResendMinLife: "-1s"}, nil, EnvResendMinLife},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, err := SettingsFromEnv(withRequired(tc.env), tc.environ)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
}
