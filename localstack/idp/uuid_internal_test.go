package idp

import (
	"fmt"
	"regexp"
	"testing"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestMadeUpNameCarriesTheNumber(t *testing.T) {
	key, other := []byte("key-0123456789abcdef0123456789ab"), []byte("another-key-0123456789abcdef0123")
	for _, number := range []string{"+1234567", "+14155550123", "+33612345678", "+999999999999999", "+100000000000000"} {
		u := madeUpName(key, number)
		if !uuidV4.MatchString(u) {
			t.Errorf("madeUpName(%s) = %q, not a version 4 UUID", number, u)
		}
		if u != madeUpName(key, number) {
			t.Errorf("madeUpName(%s) is not stable", number)
		}
		if got, ok := typed(key, u); !ok || got != number {
			t.Errorf("typed(madeUpName(%s)) = %q, %v", number, got, ok)
		}
		if got, ok := typed(other, u); ok {
			t.Errorf("another key read %s from %s", got, u)
		}
	}
	for _, name := range []string{"alice", "+0123456789", "0612345678", "+33 6 12 34 56 78"} {
		u := madeUpName(key, name)
		if !uuidV4.MatchString(u) {
			t.Errorf("madeUpName(%q) = %q, not a version 4 UUID", name, u)
		}
		if got, ok := typed(key, u); ok {
			t.Errorf("typed(madeUpName(%q)) = %q, want no number", name, got)
		}
	}
	// Random UUIDs (a registered user's username, a guess) carry nothing.
	for i := range 1000 {
		u := fmt.Sprintf("%08x-0000-4000-8000-%012x", i*7919, i*104729)
		if got, ok := typed(key, u); ok {
			t.Errorf("typed(%s) = %s", u, got)
		}
	}
}
