package localstack

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

func heldMessage(t *testing.T) schema.Message {
	t.Helper()
	kr, err := otp.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := otp.NewID(nil)
	cid, _ := otp.NewID(nil)
	now := time.Now()
	m, err := schema.NewMessage(kr, id, cid, "+14155550123", "en", "123456", now, now.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A job enqueued while a request runs reaches the queue only after the
// whole answer, with its length, is written; one enqueued with no request
// (or after its answer) goes straight in; a full queue refuses at once.
func TestAfterAnswerHoldsJobsUntilTheAnswer(t *testing.T) {
	q := queue.NewMem(2)
	a := afterAnswer{q: q, capacity: 2, log: slog.New(slog.DiscardHandler)}
	var lenDuring int
	h := a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.Enqueue(r.Context(), heldMessage(t)); err != nil {
			t.Errorf("held enqueue: %v", err)
		}
		lenDuring = q.Len()
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if lenDuring != 0 {
		t.Errorf("%d jobs in the queue while the request ran, want 0", lenDuring)
	}
	if got := rec.Header().Get("Content-Length"); got != "11" || rec.Body.String() != `{"ok":true}` {
		t.Errorf("answer %q with Content-Length %q", rec.Body.String(), got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := q.Receive(ctx); err != nil {
		t.Fatalf("the held job never reached the queue: %v", err)
	}
	if err := a.Enqueue(context.Background(), heldMessage(t)); err != nil || q.Len() != 1 {
		t.Fatalf("enqueue outside a request: %v, %d queued", err, q.Len())
	}
	if err := a.Enqueue(context.Background(), heldMessage(t)); err != nil {
		t.Fatal(err)
	}
	full := a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.Enqueue(r.Context(), heldMessage(t)); !errors.Is(err, queue.ErrFull) {
			t.Errorf("held enqueue into a full queue: %v, want ErrFull", err)
		}
	}))
	full.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
}
