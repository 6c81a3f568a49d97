package testutil

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// CheckFromEnv runs a function's settings parser over env: with wantErr,
// its error must name exactly those variables (sorted; config.Env puts
// one "NAME: why" per line), else it must return want.
func CheckFromEnv[S any](t *testing.T, fromEnv func(getenv func(string) string) (S, error), env map[string]string, want S, wantErr []string) {
	t.Helper()
	got, err := fromEnv(func(k string) string { return env[k] })
	if wantErr != nil {
		if err == nil {
			t.Fatalf("FromEnv: nil error, want one naming %v", wantErr)
		}
		var named []string
		for _, line := range strings.Split(err.Error(), "\n") {
			name, _, _ := strings.Cut(line, ":")
			named = append(named, name)
		}
		slices.Sort(named)
		if diff := cmp.Diff(wantErr, named); diff != "" {
			t.Errorf("variables named (-want +got):\n%s", diff)
		}
		return
	}
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
