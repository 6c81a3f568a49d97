// Package uuid makes version 4 UUIDs, the shape of Cognito's generated
// usernames and subs and of its token ids (jti, origin_jti, event_id).
package uuid

import (
	"fmt"
	"io"
)

// New returns a random UUID read from random.
func New(random io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("uuid: %w", err)
	}
	return Format(b), nil
}

// Format renders 16 bytes as a UUID, with the version 4 and variant bits set.
func Format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
