// Package timingstat holds the statistics the timing tests and benchmarks
// share to tell whether two kinds of request (a registered number's and an
// unregistered one's) can be told apart by their latency: a held-out
// threshold classifier, the area under its ROC curve, and medians. It
// measures nothing itself.
package timingstat

import (
	"math"
	"slices"
	"time"
)

// HoldOutAccuracy is the accuracy of the best single-threshold rule on
// latency ("slower than t means b", or "faster than t means b"), chosen on
// the even-indexed samples of a and b and scored on the odd-indexed ones.
// With the same work on both sides it is a coin toss (about 0.5).
func HoldOutAccuracy(a, b []time.Duration) float64 {
	trainA, trainB := half(a, 0), half(b, 0)
	thr, slowIsB := bestThreshold(trainA, trainB)
	return score(half(a, 1), half(b, 1), thr, slowIsB)
}

// Bound is the accuracy a classifier scored on n held-out samples stays
// under with no signal at all, but for about one run in 1,200: 0.5 plus
// 3.16 standard errors of a fair coin. For n = 1,000 (2,000 samples, half
// held out) it is 0.55, the bound; smaller runs get a wider one.
func Bound(n int) float64 { return 0.5 + 3.16*0.5/math.Sqrt(float64(n)) }

func half(ds []time.Duration, odd int) []time.Duration {
	out := make([]time.Duration, 0, len(ds)/2+1)
	for i := odd; i < len(ds); i += 2 {
		out = append(out, ds[i])
	}
	return out
}

// bestThreshold sweeps every training sample as a threshold, both ways.
func bestThreshold(a, b []time.Duration) (time.Duration, bool) {
	best, bestThr, bestDir := -1.0, time.Duration(0), false
	for _, thr := range append(slices.Clone(a), b...) {
		for _, slowIsB := range []bool{true, false} {
			if s := score(a, b, thr, slowIsB); s > best {
				best, bestThr, bestDir = s, thr, slowIsB
			}
		}
	}
	return bestThr, bestDir
}

func score(a, b []time.Duration, thr time.Duration, slowIsB bool) float64 {
	right := 0
	for _, d := range a {
		if (d > thr) != slowIsB {
			right++
		}
	}
	for _, d := range b {
		if (d > thr) == slowIsB {
			right++
		}
	}
	return float64(right) / float64(len(a)+len(b))
}

// AUC is the chance that a sample of b is slower than one of a (ties count
// half): 0.5 is no signal.
func AUC(a, b []time.Duration) float64 {
	sa, sb := slices.Clone(a), slices.Clone(b)
	slices.Sort(sa)
	slices.Sort(sb)
	// For each b, count the a below it and the a equal to it, in one pass.
	var wins float64
	lo, hi := 0, 0
	for _, d := range sb {
		for lo < len(sa) && sa[lo] < d {
			lo++
		}
		for hi < len(sa) && sa[hi] <= d {
			hi++
		}
		wins += float64(lo) + float64(hi-lo)/2
	}
	return wins / float64(len(a)*len(b))
}

// Median is the middle sample (the upper one of an even count).
func Median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
