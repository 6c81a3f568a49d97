package idp

import (
	"crypto/hmac"
	"crypto/sha256"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/internal/uuid"
)

// stableUUID is a v4-shaped UUID that is the same for the same name and key
// and unpredictable without the key: the made-up username of an unknown
// user, which must not change between sign-ins when a real one would not.
func stableUUID(key []byte, name string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(name))
	var b [16]byte
	copy(b[:], m.Sum(nil))
	return uuid.Format(b)
}
