package routing_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
)

var abc = routing.Plan{Providers: []string{"a", "b", "c"}}

func noExplore() float64 { return 0.99 }

func TestTooLittleDataKeepsConfiguredOrder(t *testing.T) {
	w := newWorld(t)
	cfg := routing.DefaultConfig()
	// c delivers everything and a nothing, but below the minimum sample.
	w.sendMany("a", "BR", cfg.MinSamples-1, 0)
	w.sendMany("c", "BR", cfg.MinSamples-1, cfg.MinSamples-1)
	// b has plenty of sends, but no receipts: unknown is no sample.
	for range 100 {
		w.send("b", "BR", false, 0)
	}
	r, _, _ := newRouter(t, w, abc, cfg, noExplore)
	if got := r.Order("BR"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("order %v, want the configured a,b,c", got)
	}
	// One measured provider has nobody to be compared with.
	w.sendMany("c", "BR", 1, 1)
	w.now = w.now.Add(cfg.Refresh)
	if got := r.Order("BR"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("with one measured: order %v, want a,b,c", got)
	}
}

func TestRoutingLearnsAndRelearns(t *testing.T) {
	w := newWorld(t)
	cfg := routing.DefaultConfig()
	r, logs, rec := newRouter(t, w, abc, cfg, noExplore)
	step := func(a, b, c int) { // delivered of 40 sends each, over the next minutes
		w.sendMany("a", "BR", 40, a)
		w.sendMany("b", "BR", 40, b)
		w.sendMany("c", "BR", 40, c)
		w.now = w.now.Add(cfg.Refresh)
	}
	want := func(phase string, order ...string) {
		t.Helper()
		if got := r.Order("BR"); !slices.Equal(got, order) {
			t.Errorf("%s: order %v, want %v", phase, got, order)
		}
	}
	step(30, 39, 35)
	want("b best", "b", "c", "a")
	// until steps 6 minutes at a time (40 sends each) until b holds place
	// in BR's order, and says how long that took.
	until := func(phase string, place int, a, b, c int) time.Duration {
		t.Helper()
		start := w.now
		for range 24 {
			w.now = w.now.Add(5 * time.Minute)
			step(a, b, c)
			if slices.Index(r.Order("BR"), "b") == place {
				t.Logf("%s: b at place %d after %s", phase, place+1, w.now.Sub(start))
				return w.now.Sub(start)
			}
		}
		t.Fatalf("%s: b never at place %d: %v", phase, place+1, r.Order("BR"))
		return 0
	}
	// b degrades to 25%: within one window its bad receipts outweigh the good.
	if d := until("degraded", 2, 30, 10, 35); d > cfg.Window {
		t.Errorf("b lost first place after %s, more than a window", d)
	}
	want("b degraded", "c", "a", "b")
	// b recovers: once the window holds mostly its good receipts, it leads again.
	if d := until("recovered", 0, 30, 40, 35); d > cfg.Window+10*time.Minute {
		t.Errorf("b regained first place after %s", d)
	}
	want("b recovered", "b", "c", "a")
	// Another country has its own data: none, so the configured order.
	want2 := r.Order("US")
	if !slices.Equal(want2, []string{"a", "b", "c"}) {
		t.Errorf("US: %v", want2)
	}
	log := logs.String()
	for _, s := range []string{`"order":"b,c,a"`, `"order":"c,a,b"`, `"msg":"routing order"`, `"basis":"measured"`} {
		if !strings.Contains(log, s) {
			t.Errorf("log lacks %s:\n%s", s, log)
		}
	}
	if !slices.ContainsFunc(rec.values, func(v string) bool { return strings.HasPrefix(v, "RoutingRank 1 [{Country BR} {Provider b}]") }) {
		t.Errorf("no RoutingRank metric for b first: %v", rec.values[:min(5, len(rec.values))])
	}
}

func TestTalliesReadOncePerRefresh(t *testing.T) {
	w := newWorld(t)
	cfg := routing.DefaultConfig()
	counting := &countingTallies{w: w}
	r, err := routing.New(cfg, routing.Fixed(abc), counting, routing.Env{Now: w.clock, Rand: noExplore})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		r.Order("BR")
	}
	if counting.n != 6 {
		t.Errorf("%d tally reads for 50 orders, want 6 (the window and its recent part, per provider)", counting.n)
	}
	w.now = w.now.Add(cfg.Refresh)
	r.Order("BR")
	if counting.n != 12 {
		t.Errorf("%d tally reads after the refresh interval, want 12", counting.n)
	}
}

type countingTallies struct {
	w *world
	n int
}

func (c *countingTallies) Tally(ctx context.Context, provider, country string, from, to time.Time) (delivery.Tally, error) {
	c.n++
	return c.w.ledger.Tally(ctx, provider, country, from, to)
}

func TestDisabledProviderNeverUsed(t *testing.T) {
	w := newWorld(t)
	cfg := routing.DefaultConfig()
	cfg.Explore = routing.MaxExplore
	// b is by far the best, and disabled.
	w.sendMany("a", "BR", 50, 30)
	w.sendMany("b", "BR", 50, 50)
	w.sendMany("c", "BR", 50, 40)
	plan := routing.Plan{Providers: []string{"a", "b", "c"}, Routes: map[string][]string{"US": {"b", "c"}}, Disabled: []string{"b"}}
	i := 0
	rnd := func() float64 { i++; return float64(i%100) / 100 } // every value, explores often
	r, _, _ := newRouter(t, w, plan, cfg, rnd)
	for _, country := range []string{"BR", "US", "IN"} {
		for range 500 {
			if got := r.Pick(context.Background(), country); slices.Contains(got, "b") || len(got) == 0 {
				t.Fatalf("%s: pick %v", country, got)
			}
		}
	}
	if got := r.Order("BR"); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("BR order %v, want c,a", got)
	}
}

func TestExplorationShare(t *testing.T) {
	w := newWorld(t)
	cfg := routing.DefaultConfig()
	w.sendMany("a", "BR", 50, 49)
	w.sendMany("b", "BR", 50, 30)
	w.sendMany("c", "BR", 50, 20)
	rnd := rand.New(rand.NewPCG(1, 2)).Float64
	r, _, rec := newRouter(t, w, abc, cfg, rnd)
	first := map[string]int{}
	for range 10000 {
		first[r.Pick(context.Background(), "BR")[0]]++
	}
	if first["a"] < 9300 || first["a"] > 9700 || first["b"] == 0 || first["c"] == 0 {
		t.Errorf("first choices %v: want about 95%% a, the rest b and c", first)
	}
	if rec.count("RoutingExplored") != 10000-first["a"] {
		t.Errorf("RoutingExplored %d, want %d", rec.count("RoutingExplored"), 10000-first["a"])
	}
	// A pinned plan neither re-ranks nor explores.
	pinned := abc
	off := false
	pinned.Providers, pinned.Measured = []string{"c", "b", "a"}, &off
	r2, _, _ := newRouter(t, w, pinned, cfg, rnd)
	for range 1000 {
		if got := r2.Pick(context.Background(), "BR"); !slices.Equal(got, []string{"c", "b", "a"}) {
			t.Fatalf("pinned: %v", got)
		}
	}
}

// Concurrent sends share one router: one reads the tallies, the others use
// what there is; every pick is a permutation of the candidates.
func TestRouterConcurrentUse(t *testing.T) {
	w := newWorld(t)
	w.sendMany("a", "BR", 50, 20)
	w.sendMany("b", "BR", 50, 49)
	w.sendMany("c", "BR", 50, 40)
	r, _, _ := newRouter(t, w, abc, routing.DefaultConfig(), rand.Float64) // safe for concurrent use
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				got := slices.Sorted(slices.Values(r.Pick(context.Background(), "BR")))
				if !slices.Equal(got, []string{"a", "b", "c"}) {
					t.Errorf("pick %v", got)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := r.Order("BR"); !slices.Equal(got, []string{"b", "c", "a"}) {
		t.Errorf("order %v", got)
	}
}

// Measured delivery reorders providers within a channel's places only: the
// route's first channel (the one Create names to the app) stays first, and
// exploring never puts another channel first.
func TestRankingKeepsTheChannelOrder(t *testing.T) {
	w := newWorld(t)
	cfg := routing.DefaultConfig()
	plan := routing.Plan{Providers: []string{"whatsapp", "eum", "twilio"}}
	w.sendMany("whatsapp", "IN", 40, 10)
	w.sendMany("eum", "IN", 40, 30)
	w.sendMany("twilio", "IN", 40, 39)
	r, _, _ := newRouter(t, w, plan, cfg, noExplore)
	if got := r.Order("IN"); !slices.Equal(got, []string{"whatsapp", "twilio", "eum"}) {
		t.Errorf("order %v, want whatsapp first, then the SMS providers by delivery", got)
	}
	always := func() float64 { return 0 } // explore every message
	r, _, _ = newRouter(t, w, plan, cfg, always)
	for range 20 {
		if got := r.Pick(context.Background(), "IN"); got[0] != "whatsapp" {
			t.Fatalf("exploring put %s first, want whatsapp (the only WhatsApp provider)", got[0])
		}
	}
}
