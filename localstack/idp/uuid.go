package idp

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
)

// newUUID returns a random (version 4) UUID, the shape of Cognito's
// generated usernames and subs.
func newUUID(random io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("uuid: %w", err)
	}
	return uuidOf(b), nil
}

// stableUUID is a v4-shaped UUID that is the same for the same name and key
// and unpredictable without the key: the made-up username of an unknown
// user, which must not change between sign-ins when a real one would not.
func stableUUID(key []byte, name string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(name))
	var b [16]byte
	copy(b[:], m.Sum(nil))
	return uuidOf(b)
}

func uuidOf(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
