package providers

import (
	"testing"
	"time"
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
