package otp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MinSecretLen is the shortest server secret we accept. The secret is the
// root of every key; 32 bytes matches the strength of the derived keys.
const MinSecretLen = 32

// HKDF labels. Distinct labels give independent keys from one secret, so a
// leak of the sealing key says nothing about the MAC key and vice versa.
const (
	labelKeyID = "cognito-phone-otp/v1 key-id"
	labelMAC   = "cognito-phone-otp/v1 code-mac"
	labelSeal  = "cognito-phone-otp/v1 seal"
)

// ErrUnknownKey means a MAC or sealed code names a key id that no configured
// secret yields: the secret was rotated out, or the data was forged.
var ErrUnknownKey = errors.New("unknown key id")

// ErrOpen means a sealed code failed authentication: wrong key, or the
// ciphertext or its associated data was altered.
var ErrOpen = errors.New("sealed code failed authentication")

type key struct {
	id   string
	mac  []byte
	aead cipher.AEAD
}

// Keyring holds the keys derived from the current secret and from any
// previous secrets still accepted during a rotation. New MACs and seals use
// the current key; checks and opens use whichever key the stored id names.
type Keyring struct {
	current *key
	byID    map[string]*key
	rand    io.Reader
}

// NewKeyring derives keys from current and any previous secrets.
func NewKeyring(current []byte, previous ...[]byte) (*Keyring, error) {
	cur, err := deriveKey(current)
	if err != nil {
		return nil, fmt.Errorf("current secret: %w", err)
	}
	kr := &Keyring{current: cur, byID: map[string]*key{cur.id: cur}, rand: rand.Reader}
	for i, p := range previous {
		k, err := deriveKey(p)
		if err != nil {
			return nil, fmt.Errorf("previous secret %d: %w", i+1, err)
		}
		if _, dup := kr.byID[k.id]; !dup {
			kr.byID[k.id] = k
		}
	}
	return kr, nil
}

// ParseSecret builds a keyring from the stored secret value. A plain value
// is one secret. During a rotation the value is JSON:
// {"current": "<new secret>", "previous": ["<old secret>"]}.
func ParseSecret(value []byte) (*Keyring, error) {
	trimmed := bytes.TrimSpace(value)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var doc struct {
			Current  string   `json:"current"`
			Previous []string `json:"previous"`
		}
		if err := json.Unmarshal(trimmed, &doc); err != nil {
			// The error text of encoding/json can quote input; keep secrets out of it.
			return nil, errors.New("parse secret: value starts with '{' but is not the rotation JSON {\"current\":...,\"previous\":[...]}")
		}
		prev := make([][]byte, len(doc.Previous))
		for i, p := range doc.Previous {
			prev[i] = []byte(p)
		}
		return NewKeyring([]byte(doc.Current), prev...)
	}
	return NewKeyring(trimmed)
}

func deriveKey(secret []byte) (*key, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("secret is %d bytes, want at least %d", len(secret), MinSecretLen)
	}
	idBytes, err := hkdf.Key(sha256.New, secret, nil, labelKeyID, 6)
	if err != nil {
		return nil, fmt.Errorf("derive key id: %w", err)
	}
	macKey, err := hkdf.Key(sha256.New, secret, nil, labelMAC, 32)
	if err != nil {
		return nil, fmt.Errorf("derive mac key: %w", err)
	}
	sealKey, err := hkdf.Key(sha256.New, secret, nil, labelSeal, 32)
	if err != nil {
		return nil, fmt.Errorf("derive seal key: %w", err)
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, fmt.Errorf("seal cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal aead: %w", err)
	}
	return &key{id: hex.EncodeToString(idBytes), mac: macKey, aead: aead}, nil
}

// CurrentKeyID is the id new MACs and seals carry.
func (kr *Keyring) CurrentKeyID() string { return kr.current.id }

// MAC returns HMAC-SHA256 over the challenge id and code under the current
// key, and that key's id to store beside it. Binding the challenge id means
// a MAC copied to another challenge is worthless.
func (kr *Keyring) MAC(challengeID, code string) (keyID string, mac []byte) {
	return kr.current.id, macWith(kr.current.mac, challengeID, code)
}

// CheckMAC reports, in constant time for a given key, whether mac is the MAC
// of code for challengeID under the key keyID names.
func (kr *Keyring) CheckMAC(keyID string, mac []byte, challengeID, code string) bool {
	k, ok := kr.byID[keyID]
	if !ok {
		return false
	}
	return hmac.Equal(mac, macWith(k.mac, challengeID, code))
}

func macWith(k []byte, challengeID, code string) []byte {
	m := hmac.New(sha256.New, k)
	writeField(m, challengeID)
	writeField(m, code)
	return m.Sum(nil)
}

// writeField length-prefixes each field so ("ab","c") and ("a","bc") differ.
func writeField(w io.Writer, s string) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(s)))
	w.Write(n[:])
	io.WriteString(w, s)
}

// AssociatedData encodes fields unambiguously for use as AEAD associated data.
func AssociatedData(fields ...string) []byte {
	var b bytes.Buffer
	for _, f := range fields {
		writeField(&b, f)
	}
	return b.Bytes()
}

// Seal encrypts plaintext under the current sealing key with a random nonce,
// authenticating ad too. The result is nonce || ciphertext.
func (kr *Keyring) Seal(plaintext, ad []byte) (keyID string, sealed []byte, err error) {
	a := kr.current.aead
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := io.ReadFull(kr.rand, nonce); err != nil {
		return "", nil, fmt.Errorf("seal nonce: %w", err)
	}
	return kr.current.id, a.Seal(nonce, nonce, plaintext, ad), nil
}

// Open reverses Seal with the key keyID names; ad must be exactly what was sealed.
func (kr *Keyring) Open(keyID string, sealed, ad []byte) ([]byte, error) {
	k, ok := kr.byID[keyID]
	if !ok {
		return nil, ErrUnknownKey
	}
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := k.aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
