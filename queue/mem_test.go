package queue_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

func newMessages(t *testing.T, n int) []schema.Message {
	t.Helper()
	ms := make([]schema.Message, n)
	for i := range ms {
		ms[i] = newMessage(t, testPhone, "en")
	}
	return ms
}

func TestNewMemRejectsCapacity(t *testing.T) {
	for _, capacity := range []int{0, -1} {
		t.Run(fmt.Sprintf("capacity %d", capacity), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewMem(%d) did not panic", capacity)
				}
			}()
			queue.NewMem(capacity)
		})
	}
}

func TestMemFIFO(t *testing.T) {
	tests := []struct {
		name        string
		capacity, n int
	}{
		{"one", 1, 1},
		{"several", 10, 5},
		{"to capacity", 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			q := queue.NewMem(tt.capacity)
			want := newMessages(t, tt.n)
			for i, m := range want {
				if err := q.Enqueue(ctx, m); err != nil {
					t.Fatalf("Enqueue %d: %v", i, err)
				}
			}
			if got := q.Len(); got != tt.n {
				t.Errorf("Len = %d, want %d", got, tt.n)
			}
			var got []schema.Message
			for range tt.n {
				m, err := q.Receive(ctx)
				if err != nil {
					t.Fatalf("Receive: %v", err)
				}
				got = append(got, m)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("received (-enqueued +received):\n%s", diff)
			}
			if n := q.Len(); n != 0 {
				t.Errorf("Len after receiving all = %d, want 0", n)
			}
		})
	}
}

func TestMemDrain(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"empty", 0},
		{"three", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := queue.NewMem(5)
			want := newMessages(t, tt.n)
			for _, m := range want {
				if err := q.Enqueue(context.Background(), m); err != nil {
					t.Fatalf("Enqueue: %v", err)
				}
			}
			got := q.Drain()
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Drain (-enqueued +drained):\n%s", diff)
			}
			if n := q.Len(); n != 0 {
				t.Errorf("Len after Drain = %d, want 0", n)
			}
		})
	}
}

func TestMemFull(t *testing.T) {
	ctx := context.Background()
	q := queue.NewMem(2)
	for _, m := range newMessages(t, 2) {
		if err := q.Enqueue(ctx, m); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}

	extra := newMessage(t, testPhone, "en")
	start := time.Now()
	err := q.Enqueue(ctx, extra)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Enqueue on a full queue took %s, want immediate", elapsed)
	}
	if !errors.Is(err, queue.ErrFull) {
		t.Fatalf("Enqueue on a full queue = %v, want ErrFull", err)
	}
	if !strings.Contains(err.Error(), extra.MessageID) {
		t.Errorf("error %q does not name message %s", err, extra.MessageID)
	}
	assertNoPhone(t, err, testPhone)
	if n := q.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}

	// Room again after one is received.
	if _, err := q.Receive(ctx); err != nil {
		t.Fatalf("Receive: %v", err)
	}
	if err := q.Enqueue(ctx, extra); err != nil {
		t.Errorf("Enqueue after Receive: %v", err)
	}
}

func TestMemEnqueueErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		edit   func(m *schema.Message)
		target error
		wantID bool
	}{
		{"context cancelled", cancelled, nil, context.Canceled, true},
		{"invalid message", context.Background(), func(m *schema.Message) { m.Locale = "" }, schema.ErrMalformed, true},
		{"wrong version", context.Background(), func(m *schema.Message) { m.Version = 2 }, schema.ErrUnsupportedVersion, true},
		{"phone number in the id field", context.Background(), func(m *schema.Message) { m.MessageID = m.To }, schema.ErrMalformed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := queue.NewMem(1)
			m := newMessage(t, testPhone, "en")
			if tt.edit != nil {
				tt.edit(&m)
			}
			err := q.Enqueue(tt.ctx, m)
			if !errors.Is(err, tt.target) {
				t.Fatalf("Enqueue = %v, want %v", err, tt.target)
			}
			assertNoPhone(t, err, testPhone)
			if tt.wantID && !strings.Contains(err.Error(), m.MessageID) {
				t.Errorf("error %q does not name message %s", err, m.MessageID)
			}
			if n := q.Len(); n != 0 {
				t.Errorf("Len = %d, want 0: a failed Enqueue must not store", n)
			}
		})
	}
}

func TestMemReceiveWaitsForEnqueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q := queue.NewMem(1)
	want := newMessage(t, testPhone, "en")

	type result struct {
		m   schema.Message
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := q.Receive(ctx)
		done <- result{m, err}
	}()

	select {
	case r := <-done:
		t.Fatalf("Receive on an empty queue returned (%v, %v), want it to wait", r.m.MessageID, r.err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := q.Enqueue(ctx, want); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Receive: %v", r.err)
		}
		if diff := cmp.Diff(want, r.m); diff != "" {
			t.Errorf("Receive (-enqueued +received):\n%s", diff)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Receive did not return after Enqueue")
	}
}

func TestMemReceiveContext(t *testing.T) {
	tests := []struct {
		name   string
		ctx    func() (context.Context, context.CancelFunc)
		target error
	}{
		{"already cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"cancelled while waiting", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			q := queue.NewMem(1)
			start := time.Now()
			_, err := q.Receive(ctx)
			if !errors.Is(err, tt.target) {
				t.Errorf("Receive = %v, want %v", err, tt.target)
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Receive took %s to notice the context", elapsed)
			}
		})
	}
}

// TestMemConcurrent runs producers and consumers at once on a queue smaller
// than the load, so producers meet ErrFull and retry; run with -race.
func TestMemConcurrent(t *testing.T) {
	const producers, perProducer, consumers = 4, 50, 3
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := queue.NewMem(8)

	want := map[string]bool{}
	batches := make([][]schema.Message, producers)
	for p := range batches {
		batches[p] = newMessages(t, perProducer)
		for _, m := range batches[p] {
			want[m.MessageID] = true
		}
	}

	var prod sync.WaitGroup
	for _, batch := range batches {
		prod.Go(func() {
			for _, m := range batch {
				for {
					err := q.Enqueue(ctx, m)
					if err == nil {
						break
					}
					if !errors.Is(err, queue.ErrFull) {
						t.Errorf("Enqueue: %v", err)
						return
					}
					time.Sleep(100 * time.Microsecond)
				}
				_ = q.Len() // concurrent readers of the length too
			}
		})
	}

	var (
		mu  sync.Mutex
		got = map[string]int{}
	)
	total := producers * perProducer
	received := make(chan struct{}, total)
	var cons sync.WaitGroup
	consumeCtx, stopConsumers := context.WithCancel(ctx)
	for range consumers {
		cons.Go(func() {
			for {
				m, err := q.Receive(consumeCtx)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Errorf("Receive: %v", err)
					}
					return
				}
				mu.Lock()
				got[m.MessageID]++
				mu.Unlock()
				received <- struct{}{}
			}
		})
	}

	prod.Wait()
	for i := range total {
		select {
		case <-received:
		case <-ctx.Done():
			t.Fatalf("received %d of %d messages before the timeout", i, total)
		}
	}
	stopConsumers()
	cons.Wait()

	if len(got) != total {
		t.Errorf("received %d distinct messages, want %d", len(got), total)
	}
	for id, n := range got {
		if !want[id] {
			t.Errorf("received unknown message %s", id)
		}
		if n != 1 {
			t.Errorf("message %s received %d times, want once", id, n)
		}
	}
	if n := q.Len(); n != 0 {
		t.Errorf("Len at the end = %d, want 0", n)
	}
}
