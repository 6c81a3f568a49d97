package delivery

import (
	"errors"
	"fmt"
	"maps"
	"time"
)

// Config shapes the delivery records and tallies.
type Config struct {
	// Window is the span one tally counts: a message is counted in the
	// window it was sent in, its receipts too, so delivered <= sent in
	// every window.
	Window time.Duration
	// Shards spreads each window's counter over this many items, so a burst
	// of sends to one country does not queue on one DynamoDB item.
	Shards int
	// MessageRetention is how long a sent message waits for its receipts
	// (carriers report up to 72 hours late).
	MessageRetention time.Duration
	// TallyRetention is how long a window's tally is kept after it ends.
	TallyRetention time.Duration
}

// DefaultConfig: 5-minute windows in 4 shards, kept a week; messages kept
// 3 days for their receipts.
func DefaultConfig() Config {
	return Config{Window: 5 * time.Minute, Shards: 4, MessageRetention: 72 * time.Hour, TallyRetention: 7 * 24 * time.Hour}
}

// Bounds Validate and the environment's parser share.
const (
	MinWindow = time.Minute
	MaxWindow = 24 * time.Hour
	MaxShards = 32
)

// Validate checks the bounds.
func (c Config) Validate() error {
	var errs []error
	if c.Window < MinWindow || c.Window > MaxWindow || (24*time.Hour)%c.Window != 0 {
		errs = append(errs, fmt.Errorf("window %s: must divide a day, %s to %s", c.Window, MinWindow, MaxWindow))
	}
	if c.Shards < 1 || c.Shards > MaxShards {
		errs = append(errs, fmt.Errorf("shards %d: must be 1 to %d", c.Shards, MaxShards))
	}
	if c.MessageRetention < time.Hour {
		errs = append(errs, fmt.Errorf("message retention %s: must be at least 1h", c.MessageRetention))
	}
	if c.TallyRetention < c.Window {
		errs = append(errs, fmt.Errorf("tally retention %s: must be at least the window %s", c.TallyRetention, c.Window))
	}
	return errors.Join(errs...)
}

// WindowStart is the start of the window t falls in.
func (c Config) WindowStart(t time.Time) time.Time { return t.UTC().Truncate(c.Window) }

// Tally counts one provider's messages to one country over some windows.
// Sent - Delivered - Undelivered - Failed are still unknown: a receipt that
// never comes counts as unknown, never as a failure.
type Tally struct {
	Sent, Delivered, Undelivered, Failed int64
	// TimeToDelivered sums the time to delivered over the Delivered ones.
	TimeToDelivered time.Duration
	// Codes counts Undelivered and Failed by error code.
	Codes map[string]int64
}

// Add sums o into t.
func (t *Tally) Add(o Tally) {
	t.Sent += o.Sent
	t.Delivered += o.Delivered
	t.Undelivered += o.Undelivered
	t.Failed += o.Failed
	t.TimeToDelivered += o.TimeToDelivered
	for code, n := range o.Codes {
		if t.Codes == nil {
			t.Codes = map[string]int64{}
		}
		t.Codes[code] += n
	}
}

// Clone is a copy that shares no map with t.
func (t Tally) Clone() Tally {
	t.Codes = maps.Clone(t.Codes)
	return t
}

// Change is what one recorded event adds to its window's tally: a send,
// or a message's move to a final status.
func Change(before, after Message) Tally {
	var t Tally
	switch {
	case before.Status == 0 && after.Status == Sent:
		t.Sent = 1
	case before.Status.Final() || !after.Status.Final():
	case after.Status == Delivered:
		t.Delivered, t.TimeToDelivered = 1, after.TimeToDelivered()
	case after.Status == Undelivered:
		t.Undelivered, t.Codes = 1, map[string]int64{after.ErrorCode: 1}
	case after.Status == Failed:
		t.Failed, t.Codes = 1, map[string]int64{after.ErrorCode: 1}
	}
	return t
}

// Empty reports whether t counts nothing.
func (t Tally) Empty() bool {
	return t.Sent == 0 && t.Delivered == 0 && t.Undelivered == 0 && t.Failed == 0
}
