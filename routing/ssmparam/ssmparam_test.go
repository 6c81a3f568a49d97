package ssmparam_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakessm"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing/ssmparam"
)

const name = "/otp/routing"

// The real SDK client against a fake Parameter Store speaking SSM's JSON
// 1.1 protocol: a missing parameter is routing.ErrNoParameter, other
// errors pass through, and what is put is what is read.
func TestSSMReaderAndWriter(t *testing.T) {
	fake := fakessm.New(t)
	client := fake.Client()
	ctx := context.Background()
	r, w := ssmparam.NewReader(client), ssmparam.NewWriter(client)
	if _, err := r.Parameter(ctx, name); !errors.Is(err, routing.ErrNoParameter) {
		t.Errorf("missing parameter: %v, want ErrNoParameter", err)
	}
	for i, v := range []string{`{"disabled":["sns"]}`, `{}`} {
		ver, err := w.Put(ctx, name, v)
		if err != nil || ver != int64(i+1) {
			t.Fatalf("put %s: version %d, %v", v, ver, err)
		}
		if got, err := r.Parameter(ctx, name); err != nil || got != v {
			t.Errorf("read back %q, %v; want %q", got, err, v)
		}
	}
	fake.Fail("GetParameter", "AccessDeniedException", http.StatusBadRequest)
	if _, err := r.Parameter(ctx, name); err == nil || errors.Is(err, routing.ErrNoParameter) || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("access denied: %v", err)
	}
	if _, err := w.Put(ctx, name, strings.Repeat("x", 5000)); err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("oversized put: %v", err)
	}
}
