package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// ErrFull is returned by Mem.Enqueue when the queue holds capacity messages.
var ErrFull = errors.New("queue is full")

// Mem is a bounded in-memory queue: the local stack's stand-in for SQS, and
// a queue tests can inspect. It holds encoded bodies and decodes them on the
// way out, so it runs the same codec as SQS. It is safe for concurrent use.
// Unlike SQS it delivers each message exactly once, in order, and has no
// visibility timeout: a received message is gone unless Delay puts it back.
type Mem struct {
	bodies chan entry

	mu        sync.Mutex
	delayed   map[*entry]*time.Timer // waiting out a Delay
	stopped   bool                   // StopDelays was called
	scheduled int                    // messages Schedule made, for their ids
}

// entry is one stored message: its id and its encoded body.
type entry struct {
	id   string
	body []byte
}

// NewMem returns an empty queue holding up to capacity messages. It panics
// if capacity is less than 1, like make does for a negative size.
func NewMem(capacity int) *Mem {
	if capacity < 1 {
		panic(fmt.Sprintf("queue: NewMem capacity %d, must be at least 1", capacity))
	}
	return &Mem{bodies: make(chan entry, capacity), delayed: map[*entry]*time.Timer{}}
}

// Enqueue adds m, or fails at once: with ErrFull if the queue is full (it
// never waits for room), with the context's error if ctx is done, or with
// the codec's error if m is invalid.
func (q *Mem) Enqueue(ctx context.Context, m schema.Message) error {
	return q.add(ctx, m.MessageID, m.Encode)
}

// add encodes a message and stores it, or fails at once.
func (q *Mem) add(ctx context.Context, id string, encode func() ([]byte, error)) error {
	err := ctx.Err()
	var body []byte
	if err == nil {
		body, err = encode()
	}
	if err == nil {
		select {
		case q.bodies <- entry{id: id, body: body}:
			return nil
		default:
			err = fmt.Errorf("%w (capacity %d)", ErrFull, cap(q.bodies))
		}
	}
	return fmt.Errorf("enqueue message %s: %w", safeID(id), err)
}

// Receive removes and returns the oldest message, waiting until there is
// one or ctx is done. It reads sign-in codes (version 1) only; the worker's
// driver (ReceiveBatch) takes both versions.
func (q *Mem) Receive(ctx context.Context) (schema.Message, error) {
	select {
	case e := <-q.bodies:
		m, err := schema.DecodeMessage(e.body)
		if err != nil {
			return schema.Message{}, fmt.Errorf("receive: %w", err)
		}
		return m, nil
	case <-ctx.Done():
		return schema.Message{}, fmt.Errorf("receive: %w", ctx.Err())
	}
}

// Len returns the number of messages waiting, those waiting out a Delay
// included.
func (q *Mem) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.bodies) + len(q.delayed)
}

// Drain removes and returns every waiting message, oldest first, without
// waiting for more. It is meant for tests; it panics if a stored body does
// not decode, which would mean schema's encoder and decoder disagree.
func (q *Mem) Drain() []schema.Message {
	var out []schema.Message
	for {
		select {
		case e := <-q.bodies:
			m, err := schema.DecodeMessage(e.body)
			if err != nil {
				panic(fmt.Sprintf("queue: Drain: stored body does not decode: %v", err))
			}
			out = append(out, m)
		default:
			return out
		}
	}
}
