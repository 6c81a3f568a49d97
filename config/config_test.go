package config_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
)

func env(m map[string]string) *config.Env {
	return config.New(func(k string) string { return m[k] })
}

func TestReaders(t *testing.T) {
	e := env(map[string]string{
		"N": " 7 ", "D": "90s", "B": "true", "S": " x ", "R": "  ",
		"OTP_LOG_LEVEL": "warn", "OTP_SECRET": " ssm:/p ", "OTP_SECRET_CACHE_TTL": "1m",
	})
	got := []any{
		e.Int("N", 1, 0, 10), e.Int("unset", 3, 0, 10),
		e.Duration("D", time.Second, 0, time.Hour), e.Duration("unset", time.Second, 0, time.Hour),
		e.Bool("B"), e.Bool("unset"), e.Str("S", "def"), e.Str("unset", "def"),
		e.Float("F", "2.5", 3, 0, 10), e.LogLevel(), e.Secret(),
	}
	want := []any{
		7, 3, 90 * time.Second, time.Second, true, false, "x", "def", 2.5, slog.LevelWarn,
		config.Secret{Spec: "ssm:/p", CacheTTL: time.Minute},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := e.Err(); err != nil {
		t.Errorf("Err: %v", err)
	}
}

// Every problem is reported, one line each, naming its variable, and a bad
// value falls back to the default so later checks still run.
func TestProblemsNameTheirVariable(t *testing.T) {
	e := env(map[string]string{"N": "11", "D": "soon", "B": "maybe", "R": " ", "OTP_LOG_LEVEL": "LOUD"})
	if got := e.Int("N", 1, 0, 10); got != 1 {
		t.Errorf("Int fell back to %d, want the default 1", got)
	}
	e.Duration("D", time.Second, 0, time.Hour)
	e.Bool("B")
	e.Required("R")
	e.Float("F", "fast", 3, 0, 10)
	e.LogLevel()
	e.Secret()
	var names []string
	for _, line := range strings.Split(e.Err().Error(), "\n") {
		name, _, _ := strings.Cut(line, ": ")
		names = append(names, name)
	}
	want := []string{"N", "D", "B", "R", "F", "OTP_LOG_LEVEL", "OTP_SECRET"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("variables named (-want +got):\n%s", diff)
	}
	if !e.Failed("X", "D") || e.Failed("X", "unset") {
		t.Error("Failed does not tell reported variables from the rest")
	}
}

func TestErrorsShowAtMost20CharactersOfAValue(t *testing.T) {
	long := strings.Repeat("9", 1000)
	e := env(map[string]string{"N": long, "D": long, "B": long})
	e.Int("N", 1, 0, 10)
	e.Duration("D", time.Second, 0, time.Hour)
	e.Bool("B")
	e.Float("F", long, 1, 0, 10)
	if strings.Contains(e.Err().Error(), strings.Repeat("9", 21)) {
		t.Errorf("an error repeats more than 20 characters of a value: %.200s", e.Err())
	}
}
