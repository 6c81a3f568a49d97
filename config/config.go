// Package config reads settings from the environment once, at start-up. It
// holds the reader and the few variables several functions share (log
// level, table, queue, secret); each function's own variables are parsed by
// the package that uses them (triggers, worker, the providers), so a
// function reads only what it needs and links nothing for the others.
//
// An Env collects every problem, each naming its variable, so a bad
// deployment fails at init with one message listing them all instead of at
// the first sign-in.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Variables several functions share. The configuration reference in docs/
// documents each; the deployment template sets them.
const (
	EnvTable          = "OTP_TABLE_NAME"
	EnvQueueURL       = "OTP_QUEUE_URL"
	EnvSecret         = "OTP_SECRET"
	EnvSecretCacheTTL = "OTP_SECRET_CACHE_TTL"
	EnvLogLevel       = "OTP_LOG_LEVEL"
)

// Env reads variables and collects what is wrong with them.
type Env struct {
	getenv func(string) string
	errs   []error
	bad    map[string]bool // names of variables reported by Fail
}

// New reads through getenv (os.Getenv outside tests).
func New(getenv func(string) string) *Env { return &Env{getenv: getenv} }

// Err is every problem reported so far, one per line, or nil.
func (e *Env) Err() error { return errors.Join(e.errs...) }

// Fail records why the variable name is wrong. why must never hold more than
// 20 characters of the value.
func (e *Env) Fail(name, why string) {
	e.errs = append(e.errs, fmt.Errorf("%s: %s", name, why))
	if e.bad == nil {
		e.bad = map[string]bool{}
	}
	e.bad[name] = true
}

// Failed reports whether any of names has been reported by Fail, so a
// cross-check between two variables is skipped when one of them is already
// reported (a default standing in for a bad value would make it wrong).
func (e *Env) Failed(names ...string) bool {
	for _, n := range names {
		if e.bad[n] {
			return true
		}
	}
	return false
}

// Raw is the variable's value, trimmed.
func (e *Env) Raw(name string) string { return strings.TrimSpace(e.getenv(name)) }

// Required is the variable's value, trimmed; empty is reported.
func (e *Env) Required(name string) string {
	v := e.Raw(name)
	if v == "" {
		e.Fail(name, "required")
	}
	return v
}

// Str is the variable's value, trimmed, or def when unset.
func (e *Env) Str(name, def string) string {
	if v := e.Raw(name); v != "" {
		return v
	}
	return def
}

// Int is a whole number from lo to hi, or def when unset or bad.
func (e *Env) Int(name string, def, lo, hi int) int {
	v := e.Raw(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		e.Fail(name, fmt.Sprintf("%.20q is not a whole number from %d to %d", v, lo, hi))
		return def
	}
	return n
}

// Duration is a Go duration from lo to hi, or def when unset or bad.
func (e *Env) Duration(name string, def, lo, hi time.Duration) time.Duration {
	v := e.Raw(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		e.Fail(name, fmt.Sprintf("%.20q is not a duration (like 30s or 3m) from %s to %s", v, lo, hi))
		return def
	}
	return d
}

// Bool is true or false; unset is false.
func (e *Env) Bool(name string) bool {
	v := e.Raw(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.Fail(name, fmt.Sprintf("%.20q is not true or false", v))
	}
	return b
}

// Float parses v, the value of name, as a number from lo to hi; def when bad.
// It takes the value because prefixed variables come from os.Environ.
func (e *Env) Float(name, v string, def, lo, hi float64) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < lo || f > hi {
		e.Fail(name, fmt.Sprintf("%.20q is not a number from %g to %g", v, lo, hi))
		return def
	}
	return f
}

// LogLevel is OTP_LOG_LEVEL: DEBUG, INFO (the default), WARN or ERROR.
func (e *Env) LogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(e.Str(EnvLogLevel, "INFO"))); err != nil {
		e.Fail(EnvLogLevel, "must be DEBUG, INFO, WARN or ERROR")
		return slog.LevelInfo
	}
	return l
}

// Secret is where the server secret lives and how long it is cached.
type Secret struct {
	Spec     string // secretsmanager:<id>, ssm:<name> or plain:<value> (local only)
	CacheTTL time.Duration
}

// DefaultSecretCacheTTL is OTP_SECRET_CACHE_TTL when unset.
const DefaultSecretCacheTTL = 5 * time.Minute

// Secret reads OTP_SECRET (required) and OTP_SECRET_CACHE_TTL.
func (e *Env) Secret() Secret {
	return Secret{Spec: e.Required(EnvSecret), CacheTTL: e.SecretCacheTTL()}
}

// SecretCacheTTL reads OTP_SECRET_CACHE_TTL: 1 s to 5 min, so a rotation
// takes effect within it.
func (e *Env) SecretCacheTTL() time.Duration {
	return e.Duration(EnvSecretCacheTTL, DefaultSecretCacheTTL, time.Second, 5*time.Minute)
}
