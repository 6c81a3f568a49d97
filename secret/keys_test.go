package secret_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
)

// A secret that cannot make keys fails the start, naming OTP_SECRET and
// never showing the value.
func TestLoadKeysRefusesAtStart(t *testing.T) {
	tests := []struct{ name, spec string }{
		{"too short", "plain:short"},
		{"no kind", "hunter2-hunter2-hunter2-hunter2-hunter2"},
		{"Secrets Manager without a client", "secretsmanager:otp/pepper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := secret.LoadKeys(context.Background(), config.Secret{Spec: tt.spec, CacheTTL: time.Minute}, nil, nil, nil)
			if err == nil || !strings.HasPrefix(err.Error(), config.EnvSecret+": ") {
				t.Fatalf("LoadKeys = %v, want an error naming %s", err, config.EnvSecret)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "plain:short") {
				t.Errorf("error shows the value: %v", err)
			}
		})
	}
}

func TestLoadKeysReadsOnce(t *testing.T) {
	keys, err := secret.LoadKeys(context.Background(), config.Secret{Spec: "plain:load-keys-test-secret-0123456789abcdef", CacheTTL: time.Minute}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Keyring(context.Background()); err != nil {
		t.Errorf("Keyring: %v", err)
	}
}
