package otp

import (
	"fmt"
	"strings"
	"time"
)

// Scope says what a send cap counts.
type Scope int

const (
	_ Scope = iota // the zero value is no scope
	ScopePhone
	ScopeCountry
	ScopeGlobal
)

func (s Scope) String() string {
	switch s {
	case ScopePhone:
		return "phone"
	case ScopeCountry:
		return "country"
	case ScopeGlobal:
		return "global"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// Cap is one configured send cap: at most Max new codes per Window.
type Cap struct {
	Scope  Scope
	Window time.Duration
	Max    int
	// Shards spreads a busy counter over several items so it never becomes
	// a hot key; each shard allows Max/Shards (rounded up), so the total
	// can exceed Max by at most Shards-1, and a request may be refused while
	// another shard still has room.
	Shards int
}

// Counter is one increment Create must make before it may send a code.
type Counter struct {
	Cap         Cap
	Subject     string    // phone number, ISO country code, or "" for global
	WindowStart time.Time // fixed window start, UTC
	Shard       int
}

// Max is the count this counter item may reach.
func (c Counter) Max() int {
	if c.Cap.Shards <= 1 {
		return c.Cap.Max
	}
	return (c.Cap.Max + c.Cap.Shards - 1) / c.Cap.Shards
}

// WindowEnd is when this counter stops counting.
func (c Counter) WindowEnd() time.Time { return c.WindowStart.Add(c.Cap.Window) }

// Counters returns the counters one new code for phone (in country) must
// increment at now. shard picks a shard in [0, n).
func Counters(caps []Cap, phone, country string, now time.Time, shard func(n int) int) []Counter {
	out := make([]Counter, 0, len(caps))
	for _, c := range caps {
		if c.Max <= 0 {
			continue
		}
		ctr := Counter{Cap: c, WindowStart: now.UTC().Truncate(c.Window)}
		switch c.Scope {
		case ScopePhone:
			ctr.Subject = phone
		case ScopeCountry:
			ctr.Subject = country
		}
		if c.Shards > 1 {
			ctr.Shard = shard(c.Shards)
		}
		out = append(out, ctr)
	}
	return out
}

// LimitError is returned when counters are at their cap; nothing was
// written. It lists every counter that was full, so a caller can say when
// all of them have room again.
type LimitError struct {
	Counters []Counter
}

func (e *LimitError) Error() string {
	parts := make([]string, len(e.Counters))
	for i, c := range e.Counters {
		parts[i] = fmt.Sprintf("%s per %s", c.Cap.Scope, c.Cap.Window)
	}
	return "send cap reached: " + strings.Join(parts, ", ")
}

// PhoneRoomAt is when every full per-number counter has room again, for
// telling the user when to try again; false when none of the full counters
// is per number: a full country or global counter is nobody's own doing.
func (e *LimitError) PhoneRoomAt() (time.Time, bool) {
	var until time.Time
	for _, c := range e.Counters {
		if c.Cap.Scope == ScopePhone && c.WindowEnd().After(until) {
			until = c.WindowEnd()
		}
	}
	return until, !until.IsZero()
}
