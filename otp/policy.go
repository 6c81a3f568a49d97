package otp

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Limits from Cognito and from the design: a code must not outlive the
// custom-auth session it was issued in (3 to 15 minutes).
const (
	MaxTTL             = 15 * time.Minute
	MinSessionValidity = 3 * time.Minute
	MaxSessionValidity = 15 * time.Minute
	MaxAttemptsLimit   = 10
)

// Policy bounds codes, answers and sends.
type Policy struct {
	Digits          int
	TTL             time.Duration
	MaxAttempts     int
	ResendCooldown  time.Duration
	SessionValidity time.Duration // the user pool client's AuthSessionValidity
	Caps            []Cap
}

// DefaultPolicy is what a deployment gets without configuration.
func DefaultPolicy() Policy {
	return Policy{
		Digits:          DefaultDigits,
		TTL:             3 * time.Minute,
		MaxAttempts:     3,
		ResendCooldown:  30 * time.Second,
		SessionValidity: 3 * time.Minute,
		Caps: []Cap{
			{Scope: ScopePhone, Window: 15 * time.Minute, Max: 5},
			{Scope: ScopePhone, Window: 24 * time.Hour, Max: 10},
			{Scope: ScopeCountry, Window: time.Hour, Max: 1000, Shards: 10},
			{Scope: ScopeGlobal, Window: time.Hour, Max: 10000, Shards: 10},
		},
	}
}

// Validate reports every field out of range, naming the field.
func (p Policy) Validate() error {
	var errs []error
	if p.Digits < MinDigits || p.Digits > MaxDigits {
		errs = append(errs, fmt.Errorf("Digits %d: must be %d to %d", p.Digits, MinDigits, MaxDigits))
	}
	if p.SessionValidity < MinSessionValidity || p.SessionValidity > MaxSessionValidity {
		errs = append(errs, fmt.Errorf("SessionValidity %s: must be %s to %s", p.SessionValidity, MinSessionValidity, MaxSessionValidity))
	}
	if p.TTL < 30*time.Second || p.TTL > MaxTTL || p.TTL > p.SessionValidity {
		errs = append(errs, fmt.Errorf("TTL %s: must be 30s to %s and no longer than SessionValidity (%s)", p.TTL, MaxTTL, p.SessionValidity))
	}
	if p.MaxAttempts < 1 || p.MaxAttempts > MaxAttemptsLimit {
		errs = append(errs, fmt.Errorf("MaxAttempts %d: must be 1 to %d", p.MaxAttempts, MaxAttemptsLimit))
	}
	if p.ResendCooldown < 0 || p.ResendCooldown > p.TTL {
		errs = append(errs, fmt.Errorf("ResendCooldown %s: must be 0 to TTL (%s)", p.ResendCooldown, p.TTL))
	}
	type capKey struct {
		scope  Scope
		window time.Duration
	}
	seen := map[capKey]bool{}
	for i, c := range p.Caps {
		// Two caps on one item would make every send-cap transaction fail.
		if k := (capKey{c.Scope, c.Window}); seen[k] {
			errs = append(errs, fmt.Errorf("Caps[%d]: a second %s cap per %s", i, c.Scope, c.Window))
		} else {
			seen[k] = true
		}
		if c.Scope < ScopePhone || c.Scope > ScopeGlobal {
			errs = append(errs, fmt.Errorf("Caps[%d] scope %s: must be phone, country or global", i, c.Scope))
		}
		if c.Window < time.Second || c.Window%time.Second != 0 || c.Window > 24*time.Hour || (24*time.Hour)%c.Window != 0 {
			errs = append(errs, fmt.Errorf("Caps[%d] window %s: must be whole seconds and divide a day", i, c.Window))
		}
		if c.Max < 0 || c.Shards < 0 || c.Shards > 100 {
			errs = append(errs, fmt.Errorf("Caps[%d]: max %d and shards %d must be >= 0, shards <= 100", i, c.Max, c.Shards))
		}
	}
	return errors.Join(errs...)
}

// BruteForceBound is the chance that someone guessing blindly gets into one
// account within a day at the daily per-number cap: codes x attempts / 10^digits.
// Without a per-number cap nothing bounds it, and it is +Inf.
func (p Policy) BruteForceBound() float64 {
	perDay := 0
	for _, c := range p.Caps {
		if c.Scope == ScopePhone && c.Max > 0 {
			// A sharded cap allows Max/Shards rounded up on each shard (Counter.Max).
			perWindow := Counter{Cap: c}.Max() * max(1, c.Shards)
			n := perWindow * int((24*time.Hour)/c.Window)
			if perDay == 0 || n < perDay {
				perDay = n
			}
		}
	}
	if perDay == 0 {
		return math.Inf(1)
	}
	space := 1.0
	for range p.Digits {
		space *= 10
	}
	return float64(perDay*p.MaxAttempts) / space
}
