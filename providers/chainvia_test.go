package providers

import (
	"context"
	"errors"
	"testing"
)

// SendTraceVia passes through the named providers only, in the order
// given, with the chain's breakers: what it learns is what SendTrace sees.
func TestChainSendTraceVia(t *testing.T) {
	clock := newFakeClock()
	a := &fakeProvider{name: "a"}
	b := &fakeProvider{name: "b", results: []error{perr("b", Transient, "503")}}
	c := &fakeProvider{name: "c"}
	chain := mustChain(t, []Provider{a, b, c}, nil, BreakerConfig{Failures: 1}, clock.Now)
	ctx := context.Background()

	r, trace, err := chain.SendTraceVia(ctx, msg("US"), []string{"b", "nope", "b", "c"})
	if err != nil || r.Provider != "c" {
		t.Fatalf("via b, c: %+v, %v; want sent by c", r, err)
	}
	if len(trace) != 2 || trace[0].Provider != "b" || trace[0].Kind != Transient || trace[1].Provider != "c" {
		t.Errorf("trace %+v, want b failed, then c", trace)
	}
	if a.Calls() != 0 {
		t.Errorf("a called %d times; it was not named", a.Calls())
	}
	if st, _ := chain.BreakerState("b"); st != BreakerOpen {
		t.Errorf("b's breaker %s after its failure through SendTraceVia, want open", st)
	}
	// The chain's own pass now skips b too.
	if _, trace, _ := chain.SendTrace(ctx, msg("US")); len(trace) != 1 || trace[0].Provider != "a" {
		t.Errorf("SendTrace after: %+v", trace)
	}
	if _, trace, _ := chain.SendTraceVia(ctx, msg("US"), []string{"b", "c"}); len(trace) != 2 || !trace[0].Skipped {
		t.Errorf("b not skipped by SendTraceVia with its breaker open: %+v", trace)
	}
	if _, _, err := chain.SendTraceVia(ctx, msg("US"), []string{"nope"}); !errors.Is(err, ErrNoProvider) {
		t.Errorf("no provider the chain has: %v, want ErrNoProvider", err)
	}
	if !chain.Has("c") || chain.Has("nope") {
		t.Error("Has")
	}
}
