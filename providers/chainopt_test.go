package providers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The send budget is shared by the longest list, so on every route each
// provider gets the same share and the last one still gets its turn.
func TestWithSendBudget(t *testing.T) {
	a, b, c := &fakeProvider{name: "a"}, &fakeProvider{name: "b"}, &fakeProvider{name: "c"}
	tests := []struct {
		name   string
		order  []Provider
		routes map[string][]Provider
		budget time.Duration
		want   time.Duration
	}{
		{"one provider", []Provider{a}, nil, 5 * time.Second, 5 * time.Second},
		{"two in order", []Provider{a, b}, nil, 5 * time.Second, 2500 * time.Millisecond},
		{"a longer route", []Provider{a}, map[string][]Provider{"IN": {a, b, c}}, 6 * time.Second, 2 * time.Second},
		{"no budget", []Provider{a, b}, nil, 0, 0},
	}
	// With a router, a list can hold every provider the chain has.
	r := routerFunc(func(string) []string { return []string{"c", "b", "a"} })
	ch, err := NewChain([]Provider{a}, map[string][]Provider{"IN": {b, c}}, BreakerConfig{Failures: 5, CoolDown: time.Minute}, nil, WithSendBudget(6*time.Second), WithRouter(r))
	if err != nil || ch.attemptTimeout != 2*time.Second {
		t.Errorf("with a router: attempt timeout %s, %v; want 2s", ch.attemptTimeout, err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := NewChain(tt.order, tt.routes, BreakerConfig{Failures: 5, CoolDown: time.Minute}, nil, WithSendBudget(tt.budget))
			if err != nil {
				t.Fatal(err)
			}
			if ch.attemptTimeout != tt.want {
				t.Errorf("attempt timeout %s, want %s", ch.attemptTimeout, tt.want)
			}
		})
	}
}

// routerFunc orders by a function of the country.
type routerFunc func(country string) []string

func (f routerFunc) Pick(_ context.Context, country string) []string { return f(country) }
func (f routerFunc) Order(country string) []string                   { return f(country) }

// A router's order replaces the configured one; names the chain was not
// built with are skipped, an order without any known name falls back to the
// configured list, and failover and breakers work on the router's list.
func TestWithRouter(t *testing.T) {
	a, b := &fakeProvider{name: "a"}, &fakeProvider{name: "b", results: []error{perr("b", Transient, "503")}}
	c := &fakeProvider{name: "c"}
	r := routerFunc(func(country string) []string {
		switch country {
		case "BR":
			return []string{"b", "pigeon", "c"}
		case "XX":
			return []string{"pigeon"}
		}
		return []string{"c", "a"}
	})
	ch, err := NewChain([]Provider{a, b}, map[string][]Provider{"IN": {c}}, BreakerConfig{Failures: 1, CoolDown: time.Minute}, nil, WithRouter(r))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		country string
		want    []Attempt
	}{
		{"US", []Attempt{{Provider: "c"}}},
		{"BR", []Attempt{{Provider: "b", Kind: Transient, Code: "503"}, {Provider: "c"}}},
		{"BR", []Attempt{{Provider: "b", Skipped: true}, {Provider: "c"}}}, // b's breaker opened
		{"XX", []Attempt{{Provider: "a"}}},                                 // configured order
	}
	for i, tc := range tests {
		_, got, err := ch.SendTrace(context.Background(), msg(tc.country))
		for j := range got {
			got[j].Duration = 0
		}
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("%d %s: trace %+v, %v; want %+v", i, tc.country, got, err, tc.want)
		}
	}
	if got := ch.Order("BR"); !cmp.Equal(got, []string{"b", "pigeon", "c"}) {
		t.Errorf("Order is the router's: %v", got)
	}
	plain, _ := NewChain([]Provider{a, b}, map[string][]Provider{"IN": {c}}, BreakerConfig{Failures: 1, CoolDown: time.Minute}, nil)
	if got := plain.Order("in"); !cmp.Equal(got, []string{"c"}) {
		t.Errorf("configured Order for IN: %v", got)
	}
}
