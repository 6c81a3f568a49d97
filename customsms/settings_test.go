package customsms_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	base := map[string]string{
		"OTP_TABLE_NAME":  "otp",
		"OTP_QUEUE_URL":   "https://sqs.us-east-1.amazonaws.com/111122223333/sms",
		"OTP_SECRET":      "ssm:/otp/secret",
		"OTP_KMS_KEY_ARN": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	}
	s, err := customsms.FromEnv(env(base))
	if err != nil {
		t.Fatal(err)
	}
	if s.Handler.DeliveryWindow != customsms.DefaultDeliveryWindow || s.KeyARN != base["OTP_KMS_KEY_ARN"] || len(s.Handler.Caps) == 0 {
		t.Fatalf("settings: %+v", s)
	}
	if err := s.Handler.Validate(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		set   map[string]string
		names []string
	}{
		{"nothing", map[string]string{"OTP_TABLE_NAME": "", "OTP_QUEUE_URL": "", "OTP_SECRET": "", "OTP_KMS_KEY_ARN": ""},
			[]string{"OTP_TABLE_NAME", "OTP_QUEUE_URL", "OTP_SECRET", "OTP_KMS_KEY_ARN"}},
		{"alias, not ARN", map[string]string{"OTP_KMS_KEY_ARN": "alias/cognito-sms"}, []string{"OTP_KMS_KEY_ARN"}},
		{"window too long", map[string]string{"OTP_CUSTOM_SMS_WINDOW": "1h"}, []string{"OTP_CUSTOM_SMS_WINDOW"}},
		{"bad pool id", map[string]string{"OTP_USER_POOL_ID": "my pool"}, []string{"OTP_USER_POOL_ID"}},
		{"shared cap variable", map[string]string{"OTP_CAP_PHONE_15M": "x"}, []string{"OTP_CAP_PHONE_15M"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range tt.set {
				m[k] = v
			}
			_, err := customsms.FromEnv(env(m))
			if err == nil {
				t.Fatal("no error")
			}
			for _, n := range tt.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error does not name %s: %v", n, err)
				}
			}
		})
	}
	m := map[string]string{"OTP_CUSTOM_SMS_WINDOW": "2m"}
	for k, v := range base {
		m[k] = v
	}
	if s, err := customsms.FromEnv(env(m)); err != nil || s.Handler.DeliveryWindow != 2*time.Minute {
		t.Fatalf("window 2m: %v %v", s.Handler.DeliveryWindow, err)
	}
}

// Create's own variables (code policy, test numbers) are not this
// function's business: values Create would refuse do not stop its start.
func TestFromEnvIgnoresCreatesVariables(t *testing.T) {
	m := map[string]string{
		"OTP_TABLE_NAME":       "otp",
		"OTP_QUEUE_URL":        "https://sqs.us-east-1.amazonaws.com/111122223333/sms",
		"OTP_SECRET":           "ssm:/otp/secret",
		"OTP_KMS_KEY_ARN":      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"OTP_TEST_NUMBERS":     "not a list",
		"OTP_CODE_TTL":         "15m",
		"OTP_SESSION_VALIDITY": "3m",
		"OTP_CODE_LENGTH":      "x",
	}
	if _, err := customsms.FromEnv(env(m)); err != nil {
		t.Fatalf("refused another function's variables: %v", err)
	}
}
