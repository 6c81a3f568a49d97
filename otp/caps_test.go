package otp_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

func TestCounters(t *testing.T) {
	const phone, country = "+15550100123", "US"
	// 10:37:12.5 in UTC+2 is 08:37:12.5 UTC.
	now := time.Date(2024, 5, 1, 10, 37, 12, 500_000_000, time.FixedZone("UTC+2", 2*3600))
	utc := func(h, m int) time.Time { return time.Date(2024, 5, 1, h, m, 0, 0, time.UTC) }

	phone15m := otp.Cap{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: 5}
	phoneDay := otp.Cap{Scope: otp.ScopePhone, Window: 24 * time.Hour, Max: 10}
	country1h := otp.Cap{Scope: otp.ScopeCountry, Window: time.Hour, Max: 1000, Shards: 10}
	global1h := otp.Cap{Scope: otp.ScopeGlobal, Window: time.Hour, Max: 10000, Shards: 10}
	oneShard := otp.Cap{Scope: otp.ScopeGlobal, Window: time.Minute, Max: 3, Shards: 1}
	disabled := otp.Cap{Scope: otp.ScopePhone, Window: time.Hour, Max: 0}
	negative := otp.Cap{Scope: otp.ScopeGlobal, Window: time.Hour, Max: -1, Shards: 5}

	tests := []struct {
		name       string
		caps       []otp.Cap
		shard      int // what the injected shard func answers
		want       []otp.Counter
		wantShards []int // the n each shard call received
	}{
		{
			name: "default caps",
			caps: otp.DefaultPolicy().Caps, shard: 7,
			want: []otp.Counter{
				{Cap: phone15m, Subject: phone, WindowStart: utc(8, 30)},
				{Cap: phoneDay, Subject: phone, WindowStart: utc(0, 0)},
				{Cap: country1h, Subject: country, WindowStart: utc(8, 0), Shard: 7},
				{Cap: global1h, Subject: "", WindowStart: utc(8, 0), Shard: 7},
			},
			wantShards: []int{10, 10},
		},
		{
			name: "caps with max 0 or below are skipped",
			caps: []otp.Cap{disabled, phone15m, negative}, shard: 1,
			want: []otp.Counter{{Cap: phone15m, Subject: phone, WindowStart: utc(8, 30)}},
		},
		{
			name: "one shard never asks for a shard",
			caps: []otp.Cap{oneShard}, shard: 3,
			want: []otp.Counter{{Cap: oneShard, WindowStart: time.Date(2024, 5, 1, 8, 37, 0, 0, time.UTC)}},
		},
		{
			name: "no caps",
			caps: nil,
			want: []otp.Counter{},
		},
	}
	for _, tc := range tests {
		var calls []int
		shard := func(n int) int {
			calls = append(calls, n)
			return tc.shard
		}
		got := otp.Counters(tc.caps, phone, country, now, shard)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: Counters mismatch (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.wantShards, calls); diff != "" {
			t.Errorf("%s: shard calls mismatch (-want +got):\n%s", tc.name, diff)
		}
		for _, c := range got {
			// cmp compares times with Equal; the key layout needs UTC too.
			if c.WindowStart.Location() != time.UTC {
				t.Errorf("%s: window start %v is not in UTC", tc.name, c.WindowStart)
			}
		}
	}
}

func TestCountersWindowBoundaries(t *testing.T) {
	cap15 := otp.Cap{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: 1}
	day := otp.Cap{Scope: otp.ScopePhone, Window: 24 * time.Hour, Max: 1}
	tests := []struct {
		name string
		cap  otp.Cap
		now  time.Time
		want time.Time
	}{
		{"on the boundary", cap15, time.Date(2024, 5, 1, 8, 45, 0, 0, time.UTC), time.Date(2024, 5, 1, 8, 45, 0, 0, time.UTC)},
		{"just before the boundary", cap15, time.Date(2024, 5, 1, 8, 44, 59, 999_999_999, time.UTC), time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC)},
		{"day starts at UTC midnight", day, time.Date(2024, 5, 1, 23, 59, 59, 0, time.UTC), time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"day in a zone west of UTC", day, time.Date(2024, 4, 30, 22, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)), time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"half-hour zone", cap15, time.Date(2024, 5, 1, 14, 10, 0, 0, time.FixedZone("UTC+5:30", 5*3600+1800)), time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		got := otp.Counters([]otp.Cap{tc.cap}, "+15550100123", "US", tc.now, nil)
		if len(got) != 1 {
			t.Fatalf("%s: %d counters, want 1", tc.name, len(got))
		}
		if !got[0].WindowStart.Equal(tc.want) {
			t.Errorf("%s: window start %v, want %v", tc.name, got[0].WindowStart, tc.want)
		}
		if end := got[0].WindowEnd(); !end.Equal(tc.want.Add(tc.cap.Window)) {
			t.Errorf("%s: window end %v, want %v", tc.name, end, tc.want.Add(tc.cap.Window))
		}
	}
}

func TestCounterMax(t *testing.T) {
	tests := []struct {
		max, shards, want int
	}{
		{max: 5, shards: 0, want: 5},
		{max: 5, shards: 1, want: 5},
		{max: 1000, shards: 10, want: 100},
		{max: 1001, shards: 10, want: 101}, // rounded up
		{max: 1009, shards: 10, want: 101},
		{max: 1010, shards: 10, want: 101},
		{max: 5, shards: 10, want: 1}, // never 0 while the cap is on
		{max: 1, shards: 100, want: 1},
		{max: 10, shards: 4, want: 3},
	}
	for _, tc := range tests {
		c := otp.Counter{Cap: otp.Cap{Scope: otp.ScopeGlobal, Window: time.Hour, Max: tc.max, Shards: tc.shards}}
		if got := c.Max(); got != tc.want {
			t.Errorf("Max of cap %d over %d shards = %d, want %d", tc.max, tc.shards, got, tc.want)
		}
	}
}

func TestScopeString(t *testing.T) {
	tests := []struct {
		s    otp.Scope
		want string
	}{
		{otp.ScopePhone, "phone"},
		{otp.ScopeCountry, "country"},
		{otp.ScopeGlobal, "global"},
		{0, "Scope(0)"},
		{42, "Scope(42)"},
	}
	for _, tc := range tests {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("Scope(%d).String() = %q, want %q", int(tc.s), got, tc.want)
		}
	}
}

func TestLimitError(t *testing.T) {
	ctr := otp.Counter{Cap: otp.Cap{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: 5}, Subject: "+15550100123"}
	err := fmt.Errorf("create: %w", &otp.LimitError{Counters: []otp.Counter{ctr}})
	var le *otp.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("errors.As(%v, *LimitError) = false", err)
	}
	if diff := cmp.Diff(ctr, le.Counters[0]); diff != "" {
		t.Errorf("LimitError.Counter mismatch (-want +got):\n%s", diff)
	}
	if got, want := le.Error(), "send cap reached: phone per 15m0s"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestLimitErrorPhoneRoomAt(t *testing.T) {
	start := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	ctr := func(s otp.Scope, w time.Duration) otp.Counter {
		return otp.Counter{Cap: otp.Cap{Scope: s, Window: w, Max: 1}, WindowStart: start}
	}
	tests := []struct {
		name     string
		counters []otp.Counter
		want     time.Time
		wantOK   bool
	}{
		{"one per number", []otp.Counter{ctr(otp.ScopePhone, 15*time.Minute)}, start.Add(15 * time.Minute), true},
		{"the latest per-number window", []otp.Counter{ctr(otp.ScopePhone, time.Hour), ctr(otp.ScopePhone, 15*time.Minute)}, start.Add(time.Hour), true},
		{"country and global do not count", []otp.Counter{ctr(otp.ScopeCountry, 24*time.Hour), ctr(otp.ScopePhone, time.Minute), ctr(otp.ScopeGlobal, time.Hour)}, start.Add(time.Minute), true},
		{"none per number", []otp.Counter{ctr(otp.ScopeCountry, time.Hour), ctr(otp.ScopeGlobal, time.Hour)}, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := (&otp.LimitError{Counters: tt.counters}).PhoneRoomAt()
			if !got.Equal(tt.want) || ok != tt.wantOK {
				t.Errorf("PhoneRoomAt() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
