package plan

import (
	"regexp"
	"sync/atomic"
)

// patternID indexes patterns; 0 is none.
type patternID uint16

// compiled holds each pattern once it has been compiled: zero at start, so
// that linking the plan costs no start-up time, and filled as numbers need
// them (phonenumbers' regexFor, without a map).
var compiled [len(patterns)]atomic.Pointer[regexp.Regexp]

// re returns pattern id, compiled. Two goroutines may both compile a
// pattern the first time; one result is kept, and both are the same.
func re(id patternID) *regexp.Regexp {
	if r := compiled[id].Load(); r != nil {
		return r
	}
	r := regexp.MustCompile(patterns[id])
	if compiled[id].CompareAndSwap(nil, r) {
		return r
	}
	return compiled[id].Load()
}
