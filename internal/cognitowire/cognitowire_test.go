package cognitowire

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAttributes(t *testing.T) {
	attrs := map[string]string{"sub": "s", "phone_number": "+14155550123", "email": "a@b"}
	tests := []struct {
		names []string
		want  []Attribute
	}{
		{nil, []Attribute{{"email", "a@b"}, {"phone_number", "+14155550123"}, {"sub", "s"}}},
		{[]string{"sub", "missing"}, []Attribute{{"sub", "s"}}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, Attributes(attrs, tc.names)); diff != "" {
			t.Errorf("Attributes(%v) (-want +got):\n%s", tc.names, diff)
		}
	}
	if got := Attributes(nil, nil); got == nil || len(got) != 0 {
		t.Errorf("Attributes(nil) = %#v, want an empty list (JSON [])", got)
	}
}

func TestEpoch(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.UnixMilli(1795633929123), "1795633929.123"},
		{time.UnixMilli(5), "0.005"},
		{time.UnixMilli(-1500), "-1.500"},
	}
	for _, tc := range tests {
		if got := Epoch(tc.t); string(got) != tc.want {
			t.Errorf("Epoch(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
