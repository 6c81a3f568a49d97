package routing

import (
	"math"
	"slices"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

// z is the normal quantile of the 95% Wilson score interval.
const z = 1.96

// Score is what the ranking knows about one provider in one country.
type Score struct {
	Final     int64   // messages with a final receipt in the window: the sample
	Delivered int64   // of them, delivered
	Lower     float64 // Wilson 95% lower bound of the delivery rate, in whole points (0.01)
	Measured  bool    // Final >= the minimum sample
}

// scoreOf scores a provider by its tallies over the window and over the
// recent part of it. Only final receipts count: a message still waiting for
// one (or whose receipt never comes) is unknown, not a failure, so a
// provider without receipts has no sample rather than a bad one.
//
// The score is the lower of the two lower bounds when the recent part holds
// the minimum sample too: a provider that starts failing drops at once,
// not when its failures outweigh an hour of good receipts; one that
// recovers must win back the whole window.
func scoreOf(window, recent delivery.Tally, minSamples int) Score {
	n, k := finals(window)
	s := Score{Final: n, Delivered: k, Measured: n >= int64(max(1, minSamples))}
	if n == 0 {
		return s
	}
	lower := wilsonLower(k, n)
	if rn, rk := finals(recent); rn >= int64(max(1, minSamples)) {
		lower = min(lower, wilsonLower(rk, rn))
	}
	// Whole points: providers within a point of each other tie, and a
	// tie keeps the configured order, so noise does not flip the order.
	s.Lower = math.Floor(lower*100) / 100
	return s
}

// finals is the tally's messages with a final receipt, and the delivered ones.
func finals(t delivery.Tally) (n, delivered int64) {
	return t.Delivered + t.Undelivered + t.Failed, t.Delivered
}

// wilsonLower is the lower bound of the Wilson score interval for k
// successes in n trials: a rate from few samples is discounted more than
// the same rate from many, so a provider is not promoted on a lucky streak.
func wilsonLower(k, n int64) float64 {
	if n <= 0 {
		return 0
	}
	p, fn := float64(k)/float64(n), float64(n)
	centre := p + z*z/(2*fn)
	spread := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn))
	return max(0, (centre-spread)/(1+z*z/fn))
}

// rank orders configured by score. Providers without the minimum sample
// keep their configured places; the measured ones are sorted among the
// places the measured ones of their channel hold, by Lower (higher first),
// ties in configured order. A channel's places stay its own: measured
// delivery picks the best SMS provider, or the best WhatsApp one, but the
// operator's route decides which channel comes first (and Create tells
// the app that channel). With fewer than two measured on a channel there
// is nothing to compare and its configured order stands.
func rank(configured []string, scores map[string]Score) []string {
	out := slices.Clone(configured)
	for _, ch := range []string{channel.SMS, channel.WhatsApp} {
		var slots []int
		var measured []string
		for i, name := range configured {
			if channel.Of(name) == ch && scores[name].Measured {
				slots = append(slots, i)
				measured = append(measured, name)
			}
		}
		if len(measured) < 2 {
			continue
		}
		slices.SortStableFunc(measured, func(a, b string) int {
			switch la, lb := scores[a].Lower, scores[b].Lower; {
			case la > lb:
				return -1
			case la < lb:
				return 1
			}
			return 0
		})
		for i, slot := range slots {
			out[slot] = measured[i]
		}
	}
	return out
}
