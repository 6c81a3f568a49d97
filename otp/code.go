package otp

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
)

// Code lengths we accept. Fewer than 4 digits is guessable within the
// attempt cap; more than 10 no longer fits what SMS autofill expects.
const (
	MinDigits     = 4
	MaxDigits     = 10
	DefaultDigits = 6
)

// NewCode returns a decimal code of the given length, uniform over all
// 10^digits values. It draws 64-bit numbers from r and rejects the few above
// the largest multiple of 10^digits, so there is no modulo bias.
func NewCode(r io.Reader, digits int) (string, error) {
	if digits < MinDigits || digits > MaxDigits {
		return "", fmt.Errorf("code length %d: must be %d to %d", digits, MinDigits, MaxDigits)
	}
	space := uint64(1)
	for range digits {
		space *= 10
	}
	limit := (^uint64(0) / space) * space
	var buf [8]byte
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("read randomness: %w", err)
		}
		n := binary.BigEndian.Uint64(buf[:])
		if n >= limit {
			continue
		}
		s := strconv.FormatUint(n%space, 10)
		for len(s) < digits {
			s = "0" + s
		}
		return s, nil
	}
}

// IsCodeShaped reports whether s could be a code of the given length. Answers
// that are not are still counted as attempts; this only spares the MAC.
func IsCodeShaped(s string, digits int) bool {
	if len(s) != digits {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
