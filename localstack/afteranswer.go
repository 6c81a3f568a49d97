package localstack

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// afterAnswer is the embedded queue as Create sees it: the SMS jobs a
// request enqueues reach the worker once the request's answer is sent.
//
// In AWS the worker is another Lambda and its work never lands inside a
// sign-in's time. Here it shares the process and its CPUs, and a registered
// number's job (claim, render, send, record) costs it more than a decoy's
// (the claim refuses it): run while InitiateAuth was still answering, that
// difference made a registered number's answer about 12% slower, and a
// threshold on latency told the two apart 58-62% of the time (issue 13).
type afterAnswer struct {
	q        *queue.Mem
	capacity int // q's
	log      *slog.Logger
}

// handOverDelay keeps the worker's work out of the time a client takes to
// read the answer it just got.
const handOverDelay = 10 * time.Millisecond

type heldKey struct{}

// held collects one request's jobs until its answer is sent; a job
// enqueued after that (an abandoned trigger attempt) goes straight in.
type held struct {
	mu       sync.Mutex
	msgs     []schema.Message
	released bool
}

// Enqueue holds m when the request is still answering. It fails at once
// as the queue would (an invalid message, a full queue), so Create still
// voids a challenge whose SMS could not be queued.
func (a afterAnswer) Enqueue(ctx context.Context, m schema.Message) error {
	h, ok := ctx.Value(heldKey{}).(*held)
	if !ok {
		return a.q.Enqueue(ctx, m)
	}
	if _, err := m.Encode(); err != nil {
		return fmt.Errorf("enqueue message %s: %w", m.MessageID, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return a.q.Enqueue(ctx, m)
	}
	if a.q.Len()+len(h.msgs) >= a.capacity {
		return fmt.Errorf("enqueue message %s: %w (capacity %d)", m.MessageID, queue.ErrFull, a.capacity)
	}
	h.msgs = append(h.msgs, m)
	return nil
}

// wrap serves next with a held batch per request, sends the whole answer
// with its length (so the client has all of it), then hands the batch on.
func (a afterAnswer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := &held{}
		buf := &bufferedAnswer{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(buf, r.WithContext(context.WithValue(r.Context(), heldKey{}, h)))
		if buf.status >= http.StatusOK && buf.status != http.StatusNoContent && buf.status != http.StatusNotModified {
			w.Header().Set("Content-Length", strconv.Itoa(buf.body.Len()))
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		h.mu.Lock()
		msgs := h.msgs
		h.msgs, h.released = nil, true
		h.mu.Unlock()
		if len(msgs) > 0 {
			time.AfterFunc(handOverDelay, func() { a.handOver(msgs) })
		}
	})
}

func (a afterAnswer) handOver(msgs []schema.Message) {
	for _, m := range msgs {
		// Room was checked when the job was held; only a burst of other
		// requests in between can fill the queue.
		if err := a.q.Enqueue(context.Background(), m); err != nil {
			a.log.Error("sms job lost after the answer was sent", "message", m.MessageID, "err", err)
		}
	}
}

// bufferedAnswer keeps an answer (all of them are small JSON documents or
// banners) until the handler is done.
type bufferedAnswer struct {
	header http.Header
	status int
	wrote  bool // the status is set: later calls change nothing, as in net/http
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
