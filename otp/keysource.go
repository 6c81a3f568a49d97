package otp

import (
	"bytes"
	"context"
	"fmt"
	"sync"
)

// SecretGetter returns the current server secret; implementations cache it
// (see package secret) so rotation takes effect within minutes.
type SecretGetter interface {
	Get(ctx context.Context) ([]byte, error)
}

// KeySource turns the secret into a Keyring, deriving keys again only when
// the secret's value changes.
type KeySource struct {
	secret SecretGetter

	mu   sync.Mutex
	last []byte
	ring *Keyring
}

// NewKeySource returns a KeySource over secret.
func NewKeySource(secret SecretGetter) *KeySource {
	return &KeySource{secret: secret}
}

// Keyring returns the keyring for the secret's current value.
func (s *KeySource) Keyring(ctx context.Context) (*Keyring, error) {
	v, err := s.secret.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("get secret: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ring != nil && bytes.Equal(v, s.last) {
		return s.ring, nil
	}
	kr, err := ParseSecret(v)
	if err != nil {
		return nil, fmt.Errorf("keys from secret: %w", err)
	}
	s.last, s.ring = bytes.Clone(v), kr
	return kr, nil
}

// StaticSecret is a SecretGetter for a fixed value (local use and tests).
type StaticSecret []byte

// Get returns the value.
func (s StaticSecret) Get(context.Context) ([]byte, error) { return s, nil }
