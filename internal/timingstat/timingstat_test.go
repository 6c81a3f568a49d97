package timingstat

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestHoldOutAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	draw := func(n int, base time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = base + time.Duration(r.IntN(1000))*time.Microsecond
		}
		return out
	}
	tests := []struct {
		name     string
		a, b     []time.Duration
		min, max float64
	}{
		{"same work", draw(2000, time.Millisecond), draw(2000, time.Millisecond), 0.45, Bound(1000)},
		{"b always slower", draw(200, time.Millisecond), draw(200, 3*time.Millisecond), 1, 1},
		{"b always faster", draw(200, 3*time.Millisecond), draw(200, time.Millisecond), 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HoldOutAccuracy(tc.a, tc.b); got < tc.min || got > tc.max {
				t.Errorf("accuracy %.3f, want %.2f to %.2f", got, tc.min, tc.max)
			}
		})
	}
}

func TestAUCMatchesPairCount(t *testing.T) {
	a := []time.Duration{1, 2, 2, 5, 9}
	b := []time.Duration{2, 3, 9, 10}
	var wins float64
	for _, y := range b {
		for _, x := range a {
			switch {
			case y > x:
				wins++
			case y == x:
				wins += 0.5
			}
		}
	}
	if got, want := AUC(a, b), wins/float64(len(a)*len(b)); got != want {
		t.Errorf("AUC = %v, want %v", got, want)
	}
}

func TestBound(t *testing.T) {
	if got := Bound(1000); got < 0.549 || got > 0.55 {
		t.Errorf("Bound(1000) = %.4f, want just under 0.55 (the issue's bound)", got)
	}
	if Bound(100) <= Bound(1000) {
		t.Error("a smaller run must get a wider bound")
	}
}
