package receipts_test

import (
	"strings"
	"testing"

	eump "github.com/cognito-phone-otp/cognito-phone-otp/providers/eum"
	snsp "github.com/cognito-phone-otp/cognito-phone-otp/providers/sns"
	twiliop "github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
)

// The receipts function does not link the providers; their names must
// still be the ones the worker records.
func TestProviderNames(t *testing.T) {
	if receipts.ProviderTwilio != twiliop.Name {
		t.Errorf("ProviderTwilio = %q, the provider says %q", receipts.ProviderTwilio, twiliop.Name)
	}
	if receipts.ProviderSNS != snsp.Name {
		t.Errorf("ProviderSNS = %q, the provider says %q", receipts.ProviderSNS, snsp.Name)
	}
	if receipts.ProviderWhatsApp != twiliop.WhatsAppName || receipts.ProviderEUM != eump.Name {
		t.Errorf("ProviderWhatsApp, ProviderEUM = %q, %q; the providers say %q, %q", receipts.ProviderWhatsApp, receipts.ProviderEUM, twiliop.WhatsAppName, eump.Name)
	}
	if receipts.EnvCallbackURL != twiliop.EnvStatusCallback || receipts.EnvAuthTokenSecret != twiliop.EnvAuthTokenSecret {
		t.Error("the receipts function and the worker read the Twilio settings under different names")
	}
}

func TestSettingsFromEnv(t *testing.T) {
	base := map[string]string{"OTP_TABLE_NAME": "otp"}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
	}{
		{"SNS only", nil, nil},
		{"Twilio", map[string]string{"TWILIO_STATUS_CALLBACK": callbackURL, "TWILIO_AUTH_TOKEN_SECRET": "ssm:/otp/twilio"}, nil},
		{"no table", map[string]string{"OTP_TABLE_NAME": ""}, []string{"OTP_TABLE_NAME"}},
		{"callback without token", map[string]string{"TWILIO_STATUS_CALLBACK": callbackURL}, []string{"TWILIO_AUTH_TOKEN_SECRET"}},
		{"token without callback", map[string]string{"TWILIO_AUTH_TOKEN_SECRET": "ssm:/x"}, []string{"TWILIO_STATUS_CALLBACK"}},
		{"http callback", map[string]string{"TWILIO_STATUS_CALLBACK": "http://x.example/", "TWILIO_AUTH_TOKEN_SECRET": "ssm:/x"}, []string{"TWILIO_STATUS_CALLBACK"}},
		{"relative callback", map[string]string{"TWILIO_STATUS_CALLBACK": "/receipts", "TWILIO_AUTH_TOKEN_SECRET": "ssm:/x"}, []string{"TWILIO_STATUS_CALLBACK"}},
		{"every error at once", map[string]string{"OTP_TABLE_NAME": "", "SMS_DELIVERY_SHARDS": "99", "OTP_LOG_LEVEL": "LOUD", "TWILIO_STATUS_CALLBACK": "https://a_b.example/"},
			[]string{"OTP_TABLE_NAME", "SMS_DELIVERY_SHARDS", "OTP_LOG_LEVEL", "TWILIO_STATUS_CALLBACK", "TWILIO_AUTH_TOKEN_SECRET"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if v, ok := tc.env[k]; ok {
					return v
				}
				return base[k]
			}
			s, err := receipts.SettingsFromEnv(getenv)
			if tc.wantErr == nil {
				if err != nil || s.Table != "otp" {
					t.Errorf("%+v, %v", s, err)
				}
				return
			}
			for _, name := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), name) {
					t.Errorf("error %v does not name %s", err, name)
				}
			}
			if err != nil && strings.Contains(err.Error(), "ssm:/x") {
				t.Error("the error echoes the secret's spec")
			}
		})
	}
}
