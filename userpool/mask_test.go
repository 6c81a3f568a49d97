package userpool

import "testing"

func TestSafeUsername(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"phone username masked", "+15555550123", "+*******0123"},
		{"digits only masked", "5555550123", "******0123"},
		{"formatted phone masked", "+1(555)555-0123", "+*******0123"},
		{"dotted phone masked", "555.555.0123", "******0123"},
		{"uuid kept", "6f1c2a9e-0b7d-4c1e-9a55-3d2f1e0c9b8a", "6f1c2a9e-0b7d-4c1e-9a55-3d2f1e0c9b8a"},
		{"short number kept", "12345", "12345"},
		{"name kept", "alice", "alice"},
		{"stars kept", "****", "****"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafeUsername(tt.in); got != tt.want {
				t.Errorf("SafeUsername(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
