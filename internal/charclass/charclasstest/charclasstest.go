// Package charclasstest proves a hand-written check accepts exactly the
// language of the regexp it replaces, on strings built around valid seeds.
package charclasstest

import (
	"regexp"
	"strings"
	"testing"
)

// alphabet is every printable ASCII byte, the controls a value could
// carry, and non-ASCII (valid and invalid UTF-8).
var alphabet = func() []string {
	var a []string
	for c := 0x20; c < 0x7f; c++ {
		a = append(a, string(rune(c)))
	}
	return append(a, "\x00", "\t", "\n", "\r", "é", "\xff", "٣", "\u00a0")
}()

// Same fails t for every generated string where check and the regexp
// pattern disagree. The strings: each seed; each seed with one byte
// replaced by, or with one inserted, each alphabet entry; each prefix of
// each seed; each seed repeated to a length just past maxLen.
func Same(t *testing.T, pattern string, check func(string) bool, maxLen int, seeds ...string) {
	t.Helper()
	SameAs(t, pattern, regexp.MustCompile(pattern).MatchString, check, maxLen, seeds...)
}

// SameAs is Same against want, described by name (e.g. two patterns that
// must both match).
func SameAs(t *testing.T, name string, want, check func(string) bool, maxLen int, seeds ...string) {
	t.Helper()
	seen := map[string]bool{}
	fails := 0
	try := func(s string) {
		if seen[s] || fails > 10 {
			return
		}
		seen[s] = true
		if w := want(s); check(s) != w {
			fails++
			t.Errorf("%q: check says %v, %s says %v", s, !w, name, w)
		}
	}
	for _, seed := range append(seeds, "") {
		try(seed)
		for i := 0; i <= len(seed); i++ {
			try(seed[:i])
			for _, a := range alphabet {
				try(seed[:i] + a + seed[i:])
				if i < len(seed) {
					try(seed[:i] + a + seed[i+1:])
				}
			}
		}
		if seed != "" {
			long := strings.Repeat(seed, maxLen/len(seed)+2)
			for n := maxLen - 2; n <= maxLen+2 && n <= len(long); n++ {
				if n >= 0 {
					try(long[:n])
				}
			}
		}
	}
	if len(seen) < 2 {
		t.Fatal("no strings tried")
	}
}
