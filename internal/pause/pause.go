// Package pause waits for a while or until a context ends, whichever is
// first: the wait between retries, and before a rate-limited send.
package pause

import (
	"context"
	"time"
)

// For waits d, or until ctx is done: then it returns ctx.Err().
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
