package presignup_test

import (
	"log/slog"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    presignup.Settings
		wantErr []string // variables the error names
	}{
		{name: "defaults", want: presignup.Settings{LogLevel: slog.LevelInfo}},
		{name: "set", env: map[string]string{"OTP_ALLOWED_COUNTRIES": "in, US", "OTP_ALLOW_VOIP": "true", "OTP_LOG_LEVEL": "debug"},
			want: presignup.Settings{Phone: phone.Policy{AllowedCountries: []string{"IN", "US"}, AllowVoIP: true}, LogLevel: slog.LevelDebug}},
		{name: "VoIP off", env: map[string]string{"OTP_ALLOW_VOIP": "false"}, want: presignup.Settings{LogLevel: slog.LevelInfo}},
		// Another function's variables are not PreSignUp's business.
		{name: "others' variables ignored", env: map[string]string{"OTP_CODE_LENGTH": "x", "OTP_CAP_PHONE_15M": "-1", "OTP_TABLE_NAME": ""},
			want: presignup.Settings{LogLevel: slog.LevelInfo}},
		{name: "VoIP not a bool", env: map[string]string{"OTP_ALLOW_VOIP": "perhaps"}, wantErr: []string{"OTP_ALLOW_VOIP"}},
		{name: "every bad one at once", env: map[string]string{"OTP_ALLOWED_COUNTRIES": "UK", "OTP_ALLOW_VOIP": "yes", "OTP_LOG_LEVEL": "LOUD"},
			wantErr: []string{"OTP_ALLOWED_COUNTRIES", "OTP_ALLOW_VOIP", "OTP_LOG_LEVEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.CheckFromEnv(t, presignup.FromEnv, tt.env, tt.want, tt.wantErr)
		})
	}
}
