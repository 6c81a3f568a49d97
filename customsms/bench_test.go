package customsms_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkHandle is the trigger's time per message against local-kms,
// DynamoDB Local and fauxqs: decrypt (one KMS Decrypt), the cap
// transaction and the enqueue. Cognito's side (encrypting the code) runs
// outside the timer. Local servers make the figure a relative one.
func BenchmarkHandle(b *testing.B) {
	cfg := defaultConfig()
	for i := range cfg.Caps {
		cfg.Caps[i].Max = 1 << 30
	}
	h := newHarness(b, cfg)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		ev := h.event("SignUp", fmt.Sprintf("%06d", i%1000000), poolID)
		ev.UserName = fmt.Sprintf("user-%d", i)
		b.StartTimer()
		if _, err := h.handler.Handle(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}
