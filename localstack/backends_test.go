package localstack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

// A stack whose table, queues or settings cannot work refuses to start,
// saying what to fix, instead of failing every sign-in after "ready".
func TestStartRefusesBrokenBackends(t *testing.T) {
	good := localAWS(t)
	with := func(k, v string) map[string]string {
		env := map[string]string{}
		for a, b := range good {
			env[a] = b
		}
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name   string
		env    map[string]string
		create bool
		want   string
	}{
		{"missing table", with("OTP_TABLE_NAME", testenv.UniqueName("absent")), false, "--create-table"},
		{"missing queue", with("OTP_QUEUE_URL", good["OTP_QUEUE_URL"]+"-absent"), false, "OTP_QUEUE_URL"},
		{"missing dead-letter queue", with("OTP_DLQ_URL", good["OTP_DLQ_URL"]+"-absent"), false, "OTP_DLQ_URL"},
		{"no dead-letter queue", with("OTP_DLQ_URL", ""), false, "OTP_DLQ_URL: required"},
		{"table without queue", with("OTP_QUEUE_URL", ""), false, "set both"},
		{"create-table without a table", map[string]string{}, true, "--create-table: set OTP_TABLE_NAME"},
		{"secret from SSM", with("OTP_SECRET", "ssm:/otp/secret"), false, "only plain:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := localstack.Options{Addr: "127.0.0.1:0", Outbox: "-", CreateTable: tc.create, Getenv: func(k string) string { return tc.env[k] }}
			if tc.env["OTP_TABLE_NAME"] != "" {
				o.AWS = awsConfig(t)
			}
			_, err := localstack.New(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error saying %q", err, tc.want)
			}
		})
	}
	t.Run("create-table creates it", func(t *testing.T) {
		env := with("OTP_TABLE_NAME", testenv.UniqueName("created"))
		o := localstack.Options{Addr: "127.0.0.1:0", Outbox: "-", CreateTable: true, AWS: awsConfig(t), Getenv: func(k string) string { return env[k] }}
		s, err := localstack.New(context.Background(), o)
		if err != nil {
			t.Fatalf("New with --create-table: %v", err)
		}
		s.Close()
	})
}
