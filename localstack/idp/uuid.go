package idp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/internal/uuid"
)

// An unknown user gets a made-up username in UUID format, the same for the
// same name, as Cognito documents for its simulated answer to an unknown
// user. A made-up username is also a name a client can sign in with, and a
// registered number's real username signs in as that user; so for an E.164
// number the made-up username carries the number, sealed under the key,
// and signing in with it is signing in with the number (madeUpName.typed).
// Otherwise an unregistered number would be told apart by that second
// sign-in alone.
//
// The 122 free bits of a version 4 UUID hold a 68-bit tag, the HMAC of the
// number, and 54 bits holding the number's digit count and value, masked
// with an HMAC of the tag: deterministic, unforgeable without the key, and
// recognised by recomputing the tag.
const (
	tagBits     = 68
	payloadBits = 54
	valueBits   = 50 // 10^15 > every E.164 number's digits
	minDigits   = 7
)

var e164Number = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// madeUpName returns the made-up username for name.
func madeUpName(key []byte, name string) string {
	if !e164Number.MatchString(name) {
		var b [16]byte
		copy(b[:], mac(key, "name", name))
		return uuid.Format(b)
	}
	digits := name[1:]
	v, _ := strconv.ParseUint(digits, 10, 64)
	payload := uint64(len(digits)-minDigits)<<valueBits | v
	tag := mac(key, "tag", name)[:(tagBits+7)/8]
	tag[len(tag)-1] &= 0xf0 // 68 bits: the last byte keeps its high nibble
	bits := make([]bool, 0, tagBits+payloadBits)
	bits = appendBits(bits, tag, tagBits)
	bits = appendUint(bits, payload^mask(key, tag), payloadBits)
	return uuid.Format(pack(bits))
}

// typed returns the E.164 number a made-up username was made from, if it
// is one.
func typed(key []byte, name string) (string, bool) {
	b, ok := parseUUID(name)
	if !ok {
		return "", false
	}
	bits := unpack(b)
	tag := make([]byte, (tagBits+7)/8)
	for i := range tagBits {
		if bits[i] {
			tag[i/8] |= 0x80 >> (i % 8)
		}
	}
	var enc uint64
	for _, bit := range bits[tagBits:] {
		enc <<= 1
		if bit {
			enc |= 1
		}
	}
	payload := enc ^ mask(key, tag)
	n := int(payload>>valueBits) + minDigits
	if n > 15 {
		return "", false
	}
	number := fmt.Sprintf("+%0*d", n, payload&(1<<valueBits-1))
	if !e164Number.MatchString(number) || madeUpName(key, number) != strings.ToLower(name) {
		return "", false
	}
	return number, true
}

func mac(key []byte, label, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label + "\x00" + s))
	return m.Sum(nil)
}

func mask(key, tag []byte) uint64 {
	var v uint64
	for _, c := range mac(key, "mask", string(tag))[:8] {
		v = v<<8 | uint64(c)
	}
	return v >> (64 - payloadBits)
}

func appendBits(bits []bool, b []byte, n int) []bool {
	for i := range n {
		bits = append(bits, b[i/8]&(0x80>>(i%8)) != 0)
	}
	return bits
}

func appendUint(bits []bool, v uint64, n int) []bool {
	for i := n - 1; i >= 0; i-- {
		bits = append(bits, v>>i&1 == 1)
	}
	return bits
}

// fixedBit reports the UUID bits uuid.Format sets: the version nibble and
// the variant's two bits.
func fixedBit(i int) bool { return 48 <= i && i < 52 || i == 64 || i == 65 }

func pack(bits []bool) [16]byte {
	var b [16]byte
	j := 0
	for i := range 128 {
		if fixedBit(i) {
			continue
		}
		if bits[j] {
			b[i/8] |= 0x80 >> (i % 8)
		}
		j++
	}
	return b
}

func unpack(b [16]byte) []bool {
	bits := make([]bool, 0, tagBits+payloadBits)
	for i := range 128 {
		if !fixedBit(i) {
			bits = append(bits, b[i/8]&(0x80>>(i%8)) != 0)
		}
	}
	return bits
}

func parseUUID(s string) ([16]byte, bool) {
	var b [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return b, false
	}
	raw, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(raw) != 16 {
		return b, false
	}
	copy(b[:], raw)
	return b, true
}
