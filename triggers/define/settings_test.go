package define_test

import (
	"log/slog"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/define"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    define.Settings
		wantErr []string // variables the error names
	}{
		{name: "defaults", want: define.Settings{MaxAttempts: 3, LogLevel: slog.LevelInfo}},
		{name: "set", env: map[string]string{"OTP_MAX_ATTEMPTS": " 5 ", "OTP_LOG_LEVEL": "debug"},
			want: define.Settings{MaxAttempts: 5, LogLevel: slog.LevelDebug}},
		// Another function's variables are not Define's business.
		{name: "others' variables ignored", env: map[string]string{"OTP_CODE_TTL": "1y", "OTP_TABLE_NAME": ""},
			want: define.Settings{MaxAttempts: 3, LogLevel: slog.LevelInfo}},
		{name: "every bad one at once", env: map[string]string{"OTP_MAX_ATTEMPTS": "11", "OTP_LOG_LEVEL": "LOUD"},
			wantErr: []string{"OTP_LOG_LEVEL", "OTP_MAX_ATTEMPTS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.CheckFromEnv(t, define.FromEnv, tt.env, tt.want, tt.wantErr)
		})
	}
}
