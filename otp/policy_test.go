package otp_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

func TestDefaultPolicyValidates(t *testing.T) {
	if err := otp.DefaultPolicy().Validate(); err != nil {
		t.Fatalf("DefaultPolicy().Validate() = %v", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	with := func(change func(*otp.Policy)) otp.Policy {
		p := otp.DefaultPolicy()
		change(&p)
		return p
	}
	tests := []struct {
		name   string
		policy otp.Policy
		// fields lists what the error must name; empty means valid.
		fields []string
	}{
		{name: "4 digits", policy: with(func(p *otp.Policy) { p.Digits = 4 })},
		{name: "10 digits", policy: with(func(p *otp.Policy) { p.Digits = 10 })},
		{name: "TTL 30s, cooldown equal to TTL", policy: with(func(p *otp.Policy) { p.TTL = 30 * time.Second; p.ResendCooldown = 30 * time.Second })},
		{name: "TTL and session 15m", policy: with(func(p *otp.Policy) { p.TTL = 15 * time.Minute; p.SessionValidity = 15 * time.Minute })},
		{name: "one attempt", policy: with(func(p *otp.Policy) { p.MaxAttempts = 1 })},
		{name: "ten attempts", policy: with(func(p *otp.Policy) { p.MaxAttempts = 10 })},
		{name: "no cooldown", policy: with(func(p *otp.Policy) { p.ResendCooldown = 0 })},
		{name: "no caps", policy: with(func(p *otp.Policy) { p.Caps = nil })},
		{name: "cap of a whole day, 100 shards, max 0", policy: with(func(p *otp.Policy) {
			p.Caps = []otp.Cap{{Scope: otp.ScopeGlobal, Window: 24 * time.Hour, Max: 0, Shards: 100}}
		})},
		{name: "cap of one second", policy: with(func(p *otp.Policy) { p.Caps = []otp.Cap{{Scope: otp.ScopePhone, Window: time.Second, Max: 1}} })},

		{name: "3 digits", policy: with(func(p *otp.Policy) { p.Digits = 3 }), fields: []string{"Digits"}},
		{name: "11 digits", policy: with(func(p *otp.Policy) { p.Digits = 11 }), fields: []string{"Digits"}},
		{name: "session too short", policy: with(func(p *otp.Policy) { p.SessionValidity = 2 * time.Minute; p.TTL = time.Minute }), fields: []string{"SessionValidity"}},
		{name: "session too long", policy: with(func(p *otp.Policy) { p.SessionValidity = 16 * time.Minute }), fields: []string{"SessionValidity"}},
		{name: "TTL too short", policy: with(func(p *otp.Policy) { p.TTL = 29 * time.Second; p.ResendCooldown = 0 }), fields: []string{"TTL"}},
		{name: "TTL longer than session", policy: with(func(p *otp.Policy) { p.TTL = 4 * time.Minute }), fields: []string{"TTL"}},
		{name: "TTL over 15m", policy: with(func(p *otp.Policy) { p.TTL = 16 * time.Minute; p.SessionValidity = 15 * time.Minute }), fields: []string{"TTL"}},
		{name: "zero attempts", policy: with(func(p *otp.Policy) { p.MaxAttempts = 0 }), fields: []string{"MaxAttempts"}},
		{name: "eleven attempts", policy: with(func(p *otp.Policy) { p.MaxAttempts = 11 }), fields: []string{"MaxAttempts"}},
		{name: "negative cooldown", policy: with(func(p *otp.Policy) { p.ResendCooldown = -time.Second }), fields: []string{"ResendCooldown"}},
		{name: "cooldown over TTL", policy: with(func(p *otp.Policy) { p.ResendCooldown = p.TTL + time.Second }), fields: []string{"ResendCooldown"}},
		{name: "cap window zero", policy: with(func(p *otp.Policy) { p.Caps[1].Window = 0 }), fields: []string{"Caps[1] window"}},
		{name: "cap window negative", policy: with(func(p *otp.Policy) { p.Caps[0].Window = -time.Hour }), fields: []string{"Caps[0] window"}},
		{name: "cap window over a day", policy: with(func(p *otp.Policy) { p.Caps[2].Window = 25 * time.Hour }), fields: []string{"Caps[2] window"}},
		{name: "cap window not dividing a day", policy: with(func(p *otp.Policy) { p.Caps[3].Window = 7 * time.Minute }), fields: []string{"Caps[3] window"}},
		{name: "cap max negative", policy: with(func(p *otp.Policy) { p.Caps[0].Max = -1 }), fields: []string{"Caps[0]"}},
		{name: "cap shards negative", policy: with(func(p *otp.Policy) { p.Caps[2].Shards = -1 }), fields: []string{"Caps[2]"}},
		{name: "cap shards over 100", policy: with(func(p *otp.Policy) { p.Caps[3].Shards = 101 }), fields: []string{"Caps[3]"}},
		{name: "cap without scope", policy: with(func(p *otp.Policy) { p.Caps[1].Scope = 0 }), fields: []string{"Caps[1] scope"}},
		{name: "cap with unknown scope", policy: with(func(p *otp.Policy) { p.Caps[1].Scope = 9 }), fields: []string{"Caps[1] scope"}},
		{
			name:   "every field wrong reports every field",
			policy: otp.Policy{Digits: 2, TTL: time.Hour, MaxAttempts: 99, ResendCooldown: -1, SessionValidity: time.Hour, Caps: []otp.Cap{{Window: 5 * time.Hour, Max: -1}}},
			fields: []string{"Digits", "SessionValidity", "TTL", "MaxAttempts", "ResendCooldown", "Caps[0] scope", "Caps[0] window", "Caps[0]: max"},
		},
		{name: "zero policy", policy: otp.Policy{}, fields: []string{"Digits", "SessionValidity", "TTL", "MaxAttempts"}},
	}
	for _, tc := range tests {
		err := tc.policy.Validate()
		if len(tc.fields) == 0 {
			if err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: Validate() = nil, want an error naming %q", tc.name, tc.fields)
			continue
		}
		// The error's text is its contract here: it names the setting to fix.
		for _, f := range tc.fields {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: Validate() = %q, want it to name %q", tc.name, err, f)
			}
		}
		// One error per problem, and no others.
		if j, ok := err.(interface{ Unwrap() []error }); !ok || len(j.Unwrap()) != len(tc.fields) {
			t.Errorf("%s: Validate() = %q, want exactly %d joined errors", tc.name, err, len(tc.fields))
		}
	}
}

// TestBruteForceBoundDefaults pins 3e-5, the figure docs/security.md
// repeats: the tightest per-number cap of the default policy allows
// 10 codes a day (the 15-minute cap would allow 5 x 96 = 480), each code
// takes 3 answers, and there are 10^6 six-digit codes:
// 10 x 3 / 1e6 = 3e-5.
func TestBruteForceBoundDefaults(t *testing.T) {
	got := otp.DefaultPolicy().BruteForceBound()
	if want := 3e-5; math.Abs(got-want) > 1e-15 {
		t.Errorf("DefaultPolicy().BruteForceBound() = %g, want %g", got, want)
	}
}

func TestBruteForceBound(t *testing.T) {
	phone := func(window time.Duration, max, shards int) otp.Cap {
		return otp.Cap{Scope: otp.ScopePhone, Window: window, Max: max, Shards: shards}
	}
	tests := []struct {
		name   string
		policy otp.Policy
		want   float64
	}{
		{
			name:   "one daily cap",
			policy: otp.Policy{Digits: 6, MaxAttempts: 5, Caps: []otp.Cap{phone(24*time.Hour, 10, 0)}},
			want:   10 * 5 / 1e6,
		},
		{
			name:   "hourly cap counted over a day",
			policy: otp.Policy{Digits: 4, MaxAttempts: 3, Caps: []otp.Cap{phone(time.Hour, 2, 0)}},
			want:   2 * 24 * 3 / 1e4,
		},
		{
			name:   "the tighter of two caps",
			policy: otp.Policy{Digits: 6, MaxAttempts: 3, Caps: []otp.Cap{phone(24*time.Hour, 100, 0), phone(time.Hour, 1, 0)}},
			want:   24 * 3 / 1e6,
		},
		{
			name: "country and global caps do not bound one number",
			policy: otp.Policy{Digits: 6, MaxAttempts: 3, Caps: []otp.Cap{
				{Scope: otp.ScopeGlobal, Window: time.Hour, Max: 1},
				{Scope: otp.ScopeCountry, Window: time.Hour, Max: 1},
				phone(24*time.Hour, 10, 0),
			}},
			want: 10 * 3 / 1e6,
		},
		{
			name:   "a disabled cap is ignored",
			policy: otp.Policy{Digits: 6, MaxAttempts: 3, Caps: []otp.Cap{phone(time.Hour, 0, 0), phone(24*time.Hour, 10, 0)}},
			want:   10 * 3 / 1e6,
		},
		{
			// Each of 4 shards allows ceil(10/4) = 3, so 12 a day, not 10.
			name:   "sharded cap counts what the shards allow",
			policy: otp.Policy{Digits: 6, MaxAttempts: 3, Caps: []otp.Cap{phone(24*time.Hour, 10, 4)}},
			want:   12 * 3 / 1e6,
		},
		{
			name:   "no per-number cap: unbounded",
			policy: otp.Policy{Digits: 6, MaxAttempts: 3, Caps: []otp.Cap{{Scope: otp.ScopeGlobal, Window: time.Hour, Max: 10000}}},
			want:   math.Inf(1),
		},
		{
			name:   "no caps at all: unbounded",
			policy: otp.Policy{Digits: 6, MaxAttempts: 3},
			want:   math.Inf(1),
		},
	}
	for _, tc := range tests {
		got := tc.policy.BruteForceBound()
		if got != tc.want && math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("%s: BruteForceBound() = %g, want %g", tc.name, got, tc.want)
		}
	}
}
