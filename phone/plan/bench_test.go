package plan

import (
	"testing"
)

// forget drops every compiled pattern, as in a new process.
func forget() {
	for i := range compiled {
		compiled[i].Store(nil)
	}
}

func countCompiled() int {
	n := 0
	for i := range compiled {
		if compiled[i].Load() != nil {
			n++
		}
	}
	return n
}

// judge asks what package phone's Parse asks.
func judge(b *testing.B, s string) {
	n, err := Parse(s)
	if err != nil || !n.Valid() || n.Region() == "" || n.Type() == Unknown {
		b.Fatalf("%s: %+v %v", s, n, err)
	}
}

var benchNumbers = []struct{ name, number string }{
	{"US", "+14155550123"},
	{"JM", "+18762101234"}, // +1, a region after the US: more regions tried
	{"GB", "+447400123456"},
	{"FR-national-prefix", "+330612345678"},
	{"IN", "+919876543210"},
	{"DE", "+4915123456789"},
}

// BenchmarkParse measures a number's judgement the first time its calling
// code is seen in a process (cold: the patterns it needs are compiled,
// reported as patterns/op) and afterwards (warm).
func BenchmarkParse(b *testing.B) {
	for _, tc := range benchNumbers {
		b.Run("cold/"+tc.name, func(b *testing.B) {
			patterns := 0
			for b.Loop() {
				b.StopTimer()
				forget()
				b.StartTimer()
				judge(b, tc.number)
				patterns = countCompiled()
			}
			b.ReportMetric(float64(patterns), "patterns/op")
		})
		b.Run("warm/"+tc.name, func(b *testing.B) {
			judge(b, tc.number)
			for b.Loop() {
				judge(b, tc.number)
			}
		})
	}
}
