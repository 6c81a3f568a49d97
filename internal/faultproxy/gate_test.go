package faultproxy_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
)

// A held request reaches the server only after Release, even though its
// client gave up meanwhile; requests the gate does not match pass.
func TestGateHoldsUntilRelease(t *testing.T) {
	var got atomic.Int32
	up := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	gate := faultproxy.NewGate(func(op string, _ []byte) bool { return op == "Held" })
	p := faultproxy.Start(t, up, faultproxy.Config{Protocol: faultproxy.DynamoDB, Hold: gate})
	send := func(ctx context.Context, op string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-gate.Held(); cancel() }()
	if err := send(ctx, "Held"); err == nil {
		t.Fatal("the held request was answered before its release")
	}
	if err := send(context.Background(), "Other"); err != nil || got.Load() != 1 {
		t.Fatalf("a request the gate does not match: %v, server saw %d", err, got.Load())
	}
	gate.Release()
	if st := gate.Status(); st != http.StatusAccepted || got.Load() != 2 {
		t.Errorf("after Release: status %d, server saw %d requests; want %d and 2", st, got.Load(), http.StatusAccepted)
	}
}
