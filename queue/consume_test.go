package queue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// enqueued fills a queue with n messages and returns it and them.
func enqueued(t *testing.T, n int) (*queue.Mem, []schema.Message) {
	t.Helper()
	q := queue.NewMem(5)
	ms := newMessages(t, n)
	for _, m := range ms {
		if err := q.Enqueue(context.Background(), m); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	return q, ms
}

// ReceiveBatch takes what is there, up to max, and gives each delivery the
// message's id and its encoded body.
func TestMemReceiveBatch(t *testing.T) {
	tests := []struct {
		name      string
		n, max    int
		wait      time.Duration
		wantBatch int
	}{
		{"empty, no wait", 0, 10, 0, 0},
		{"empty, short wait", 0, 10, 10 * time.Millisecond, 0},
		{"fewer than max", 3, 10, 0, 3},
		{"more than max", 3, 2, time.Second, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, ms := enqueued(t, tt.n)
			batch, err := q.ReceiveBatch(context.Background(), tt.max, tt.wait)
			if err != nil {
				t.Fatalf("ReceiveBatch: %v", err)
			}
			if len(batch) != tt.wantBatch {
				t.Fatalf("batch of %d, want %d", len(batch), tt.wantBatch)
			}
			for i, d := range batch {
				m, err := schema.DecodeMessage(d.Body)
				if err != nil {
					t.Fatalf("delivery %d: %v", i, err)
				}
				if d.ID != ms[i].MessageID || m.MessageID != ms[i].MessageID {
					t.Errorf("delivery %d: id %q, body of %q, want %q", i, d.ID, m.MessageID, ms[i].MessageID)
				}
			}
			if got := q.Len(); got != tt.n-tt.wantBatch {
				t.Errorf("Len = %d, want %d", got, tt.n-tt.wantBatch)
			}
		})
	}
}

func TestMemReceiveBatchContext(t *testing.T) {
	q := queue.NewMem(1)
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	if _, err := q.ReceiveBatch(ctx, 10, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("ReceiveBatch after cancel = %v, want context.Canceled", err)
	}
}

// A delayed message comes back, counted by Len while it waits.
func TestMemDelay(t *testing.T) {
	q, ms := enqueued(t, 1)
	ctx := context.Background()
	batch, err := q.ReceiveBatch(ctx, 10, 0)
	if err != nil || len(batch) != 1 {
		t.Fatalf("ReceiveBatch = %d, %v", len(batch), err)
	}
	if err := q.Delay(ctx, batch[0], 10*time.Millisecond); err != nil {
		t.Fatalf("Delay: %v", err)
	}
	if got := q.Len(); got != 1 {
		t.Errorf("Len while delayed = %d, want 1", got)
	}
	again, err := q.ReceiveBatch(ctx, 10, time.Minute)
	if err != nil || len(again) != 1 || again[0].ID != ms[0].MessageID {
		t.Fatalf("after the delay: %+v, %v; want the message back", again, err)
	}
	if err := q.DeadLetter(ctx, again[0], "malformed", ""); err != nil {
		t.Errorf("DeadLetter: %v", err)
	}
	if err := q.Delete(ctx, again); err != nil {
		t.Errorf("Delete: %v", err)
	}
	if got := q.Len(); got != 0 {
		t.Errorf("Len after settling = %d, want 0", got)
	}
}

// StopDelays drops pending delays: their timers never put a message back,
// so no requeue outlives the consumer, and later delays are refused.
func TestMemStopDelays(t *testing.T) {
	q, _ := enqueued(t, 2)
	ctx := context.Background()
	batch, err := q.ReceiveBatch(ctx, 10, 0)
	if err != nil || len(batch) != 2 {
		t.Fatalf("ReceiveBatch = %d, %v", len(batch), err)
	}
	if err := q.Delay(ctx, batch[0], time.Millisecond); err != nil {
		t.Fatalf("Delay: %v", err)
	}
	if err := q.Delay(ctx, batch[1], time.Hour); err != nil {
		t.Fatalf("Delay: %v", err)
	}
	// The short delay may have come back already; the long one has not.
	back, err := q.ReceiveBatch(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if dropped := q.StopDelays(); dropped+len(back) != 2 || dropped < 1 {
		t.Errorf("StopDelays dropped %d (with %d back already), want the rest of 2", dropped, len(back))
	}
	if got := q.Len(); got != 0 {
		t.Errorf("Len after StopDelays = %d, want 0", got)
	}
	// Well past the short delay: nothing comes back.
	if late, err := q.ReceiveBatch(ctx, 10, 50*time.Millisecond); err != nil || len(late) != 0 {
		t.Errorf("after StopDelays received %d, %v; want nothing", len(late), err)
	}
	if err := q.Delay(ctx, batch[0], 0); !errors.Is(err, queue.ErrStopped) {
		t.Errorf("Delay after StopDelays = %v, want ErrStopped", err)
	}
}
