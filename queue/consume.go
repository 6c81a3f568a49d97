package queue

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery is one received message, as a consumer settles it: the queue's
// id for it, the handle to act on it (SQS's receipt handle) and its body,
// still encoded.
type Delivery struct {
	ID      string
	Receipt string
	Body    []byte
}

// ErrStopped is returned by Mem.Delay after StopDelays.
var ErrStopped = errors.New("queue: delays stopped")

// requeueRetry is how long a delayed message that found the queue full
// waits before it tries again.
const requeueRetry = time.Second

// ReceiveBatch removes and returns up to max waiting messages: it waits up
// to wait for the first (not at all for a wait of 0), then takes what is
// there without waiting more, as an SQS long poll does. No message by then
// is an empty batch; a done ctx is its error. The bodies are not decoded.
func (q *Mem) ReceiveBatch(ctx context.Context, max int, wait time.Duration) ([]Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	var first entry
	if wait <= 0 {
		select {
		case first = <-q.bodies:
		default:
			return nil, nil
		}
	} else {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case first = <-q.bodies:
		case <-t.C:
			return nil, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("receive: %w", ctx.Err())
		}
	}
	out := []Delivery{first.delivery()}
	for len(out) < max {
		select {
		case e := <-q.bodies:
			out = append(out, e.delivery())
		default:
			return out, nil
		}
	}
	return out, nil
}

func (e entry) delivery() Delivery { return Delivery{ID: e.id, Body: e.body} }

// Delay puts d back on the queue once after has passed, as SQS's
// visibility timeout does; Len counts it meanwhile. A delayed message that
// finds the queue full tries again a second later. StopDelays drops what is
// still waiting; after it, Delay fails with ErrStopped.
func (q *Mem) Delay(ctx context.Context, d Delivery, after time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped {
		return fmt.Errorf("delay message %s: %w", safeID(d.ID), ErrStopped)
	}
	e := &entry{id: d.ID, body: d.Body}
	q.delayed[e] = time.AfterFunc(max(0, after), func() { q.requeue(e) })
	return nil
}

// Schedule puts body on the queue as a new message once after has passed,
// as SQS's DelaySeconds does; Len counts it meanwhile, and StopDelays
// drops it like a Delay.
func (q *Mem) Schedule(ctx context.Context, body []byte, after time.Duration) error {
	q.mu.Lock()
	q.scheduled++
	id := fmt.Sprintf("scheduled-%d", q.scheduled)
	q.mu.Unlock()
	return q.Delay(ctx, Delivery{ID: id, Body: body}, after)
}

// requeue moves delayed message e back on the queue, unless StopDelays
// dropped it.
func (q *Mem) requeue(e *entry) {
	q.mu.Lock()
	defer q.mu.Unlock()
	t, ok := q.delayed[e]
	if !ok {
		return
	}
	select {
	case q.bodies <- *e:
		delete(q.delayed, e)
	default:
		t.Reset(requeueRetry)
	}
}

// StopDelays drops every message still waiting out a Delay and refuses
// new delays, so no timer outlives the consumer: call it once nothing
// receives any more. It returns how many messages it dropped.
func (q *Mem) StopDelays() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopped = true
	n := len(q.delayed)
	for _, t := range q.delayed {
		t.Stop()
	}
	clear(q.delayed)
	return n
}

// DeadLetter drops d: an in-memory queue has no dead-letter queue, and the
// consumer has logged why it gave up (a wrapper can log more).
func (q *Mem) DeadLetter(ctx context.Context, d Delivery, reason, detail string) error {
	return nil
}

// Delete does nothing: a received message is already gone.
func (q *Mem) Delete(ctx context.Context, ds []Delivery) error { return nil }
