package triggers

import (
	"context"
	"sync/atomic"
	"time"
)

// latency is a moving average of enqueue times, which a decoy waits out so
// an unknown user's Create takes about as long as a known user's.
type latency struct {
	micros atomic.Int64
}

// initialLatency is the guess before any enqueue was timed: a typical SQS
// SendMessage within a region.
const initialLatency = 15 * time.Millisecond

func (l *latency) observe(d time.Duration) {
	for {
		old := l.micros.Load()
		next := d.Microseconds()
		if old != 0 {
			next = old + (d.Microseconds()-old)/8
		}
		if l.micros.CompareAndSwap(old, next) {
			return
		}
	}
}

func (l *latency) wait(ctx context.Context) error {
	d := time.Duration(l.micros.Load()) * time.Microsecond
	if d == 0 {
		d = initialLatency
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
