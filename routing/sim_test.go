package routing_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
)

var t0 = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

// world is a ledger of sends and receipts on a clock the test moves: what
// the worker and the receipts function would write.
type world struct {
	t      testing.TB
	now    time.Time
	ledger *mem.Ledger
	n      int
}

func newWorld(t testing.TB) *world {
	w := &world{t: t, now: t0}
	l, err := mem.NewLedger(delivery.DefaultConfig(), func() time.Time { return w.now })
	if err != nil {
		t.Fatal(err)
	}
	w.ledger = l
	return w
}

func (w *world) clock() time.Time { return w.now }

// send records one message through provider to country, sent now, and its
// final receipt after delay (delivered or not); a zero delay sends no
// receipt at all (unknown).
func (w *world) send(provider, country string, delivered bool, delay time.Duration) {
	w.t.Helper()
	ctx := context.Background()
	w.n++
	id := fmt.Sprintf("m%06d", w.n)
	if err := w.ledger.RecordSent(ctx, delivery.Message{Provider: provider, ID: id, ChallengeID: "c" + id, Country: country, SentAt: w.now, Status: delivery.Sent}); err != nil {
		w.t.Fatal(err)
	}
	if delay == 0 {
		return
	}
	st, code := delivery.Delivered, ""
	if !delivered {
		st, code = delivery.Undelivered, "30007"
	}
	if _, err := w.ledger.ApplyReceipt(ctx, delivery.Receipt{Provider: provider, MessageID: id, Status: st, ErrorCode: code, At: w.now.Add(delay)}); err != nil {
		w.t.Fatal(err)
	}
}

// sendMany sends n messages through provider, the first k delivered.
func (w *world) sendMany(provider, country string, n, k int) {
	w.t.Helper()
	for i := range n {
		w.send(provider, country, i < k, time.Second)
	}
}

// recorder keeps metric lines for assertions.
type recorder struct {
	mu     sync.Mutex
	counts map[string]int
	values []string
}

func (r *recorder) Count(name string, dims ...metrics.Dim) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.counts[name]++
}

func (r *recorder) Value(name string, v float64, _ metrics.Unit, dims ...metrics.Dim) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.values = append(r.values, fmt.Sprintf("%s %v %v", name, v, dims))
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[name]
}

// newRouter is a router over plan and w's ledger, with its log in buf.
func newRouter(t testing.TB, w *world, plan routing.Plan, cfg routing.Config, rnd func() float64) (*routing.Router, *bytes.Buffer, *recorder) {
	t.Helper()
	var buf bytes.Buffer
	rec := &recorder{}
	r, err := routing.New(cfg, routing.Fixed(plan), w.ledger, routing.Env{Now: w.clock, Rand: rnd, Log: slog.New(slog.NewJSONHandler(&buf, nil)), Metrics: rec})
	if err != nil {
		t.Fatal(err)
	}
	return r, &buf, rec
}
