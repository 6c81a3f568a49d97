package otp_test

import (
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

func TestChallengeLive(t *testing.T) {
	expires := time.Date(2024, 5, 1, 12, 3, 0, 0, time.UTC)
	live := otp.Challenge{ExpiresAt: expires, MaxAttempts: 3}
	tests := []struct {
		name string
		c    otp.Challenge
		now  time.Time
		want bool
	}{
		{"fresh", live, expires.Add(-time.Minute), true},
		{"a nanosecond before expiry", live, expires.Add(-1), true},
		{"at expiry", live, expires, false},
		{"after expiry", live, expires.Add(time.Second), false},
		{"consumed", otp.Challenge{ExpiresAt: expires, Consumed: true}, expires.Add(-time.Minute), false},
		{"voided", otp.Challenge{ExpiresAt: expires, Voided: true}, expires.Add(-time.Minute), false},
		// Out of attempts and decoys are judged elsewhere (AttemptsLeft, Verify).
		{"out of attempts is still live", otp.Challenge{ExpiresAt: expires, Attempts: 3, MaxAttempts: 3}, expires.Add(-time.Minute), true},
	}
	for _, tc := range tests {
		if got := tc.c.Live(tc.now); got != tc.want {
			t.Errorf("%s: Live = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestChallengeAttemptsLeft(t *testing.T) {
	tests := []struct {
		attempts, max, want int
	}{
		{0, 3, 3},
		{2, 3, 1},
		{3, 3, 0},
		{5, 3, 0}, // never negative
		{0, 0, 0},
	}
	for _, tc := range tests {
		c := otp.Challenge{Attempts: tc.attempts, MaxAttempts: tc.max}
		if got := c.AttemptsLeft(); got != tc.want {
			t.Errorf("AttemptsLeft(%d of %d) = %d, want %d", tc.attempts, tc.max, got, tc.want)
		}
	}
}
