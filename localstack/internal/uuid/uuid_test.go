package uuid

import (
	"bytes"
	"regexp"
	"testing"
)

func TestShape(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, in := range [][]byte{bytes.Repeat([]byte{0}, 16), bytes.Repeat([]byte{0xff}, 16)} {
		got, err := New(bytes.NewReader(in))
		if err != nil || !re.MatchString(got) {
			t.Errorf("New(% x) = %q, %v", in, got, err)
		}
	}
	if _, err := New(bytes.NewReader(make([]byte, 15))); err == nil {
		t.Error("New with 15 bytes of randomness: no error")
	}
}
