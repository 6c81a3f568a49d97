package define_test

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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
			got, err := define.FromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("FromEnv: nil error, want one naming %v", tt.wantErr)
				}
				var named []string
				for _, line := range strings.Split(err.Error(), "\n") {
					name, _, _ := strings.Cut(line, ":")
					named = append(named, name)
				}
				slices.Sort(named)
				if diff := cmp.Diff(tt.wantErr, named); diff != "" {
					t.Errorf("variables named (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromEnv: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
