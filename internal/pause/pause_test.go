package pause_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/pause"
)

func TestFor(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"waits its time", context.Background(), time.Millisecond, nil},
		{"ends with its context", cancelled, time.Hour, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := pause.For(tt.ctx, tt.d); !errors.Is(err, tt.want) {
				t.Errorf("For = %v, want %v", err, tt.want)
			}
		})
	}
}
