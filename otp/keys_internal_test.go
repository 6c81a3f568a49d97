package otp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"
)

// These tests sit inside the package to inject the nonce source and to look
// at the derived keys.

const internalSecret = "internal-secret-internal-secret-0"

func newTestKeyring(t *testing.T) *Keyring {
	t.Helper()
	kr, err := NewKeyring([]byte(internalSecret))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// derive repeats the HKDF step with the label spelled out, so a renamed
// label constant fails here.
func derive(t *testing.T, label string, n int) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, []byte(internalSecret), nil, label, n)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func gcm(t *testing.T, key []byte) cipher.AEAD {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSealUsesInjectedNonce(t *testing.T) {
	nonce := []byte("fixed-nonce!") // 12 bytes
	seal := func() []byte {
		kr := newTestKeyring(t)
		kr.rand = bytes.NewReader(nonce)
		_, sealed, err := kr.Seal([]byte("123456"), []byte("ad"))
		if err != nil {
			t.Fatal(err)
		}
		return sealed
	}
	a, b := seal(), seal()
	if !bytes.HasPrefix(a, nonce) {
		t.Errorf("sealed = %x, want it to start with the nonce %x", a, nonce)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("same key, nonce and input sealed differently: %x and %x", a, b)
	}
	// Independent AES-256-GCM under HKDF(secret, "cognito-phone-otp/v1 seal") opens it.
	pt, err := gcm(t, derive(t, "cognito-phone-otp/v1 seal", 32)).Open(nil, a[:12], a[12:], []byte("ad"))
	if err != nil || string(pt) != "123456" {
		t.Errorf("independent AES-GCM Open = %q, %v", pt, err)
	}
}

func TestSealNonceReaderFails(t *testing.T) {
	tests := []struct {
		name string
		rand *bytes.Reader
	}{
		{name: "empty", rand: bytes.NewReader(nil)},
		{name: "short", rand: bytes.NewReader(make([]byte, 11))},
	}
	for _, tc := range tests {
		kr := newTestKeyring(t)
		kr.rand = tc.rand
		id, sealed, err := kr.Seal([]byte("123456"), nil)
		if err == nil {
			t.Errorf("%s: Seal = %s %x, want an error", tc.name, id, sealed)
		}
		if id != "" || sealed != nil {
			t.Errorf("%s: Seal returned %q %x with an error", tc.name, id, sealed)
		}
	}
	kr := newTestKeyring(t)
	boom := errors.New("entropy exhausted")
	kr.rand = errReaderInternal{boom}
	if _, _, err := kr.Seal([]byte("1"), nil); !errors.Is(err, boom) {
		t.Errorf("Seal error = %v, want it to wrap %v", err, boom)
	}
}

type errReaderInternal struct{ err error }

func (r errReaderInternal) Read([]byte) (int, error) { return 0, r.err }

// TestDerivedKeysIndependent checks that the key id, MAC key and sealing key
// come from distinct HKDF labels: none equals another or the secret, the MAC
// key does not open sealed codes, and the sealing key does not make MACs.
func TestDerivedKeysIndependent(t *testing.T) {
	kr := newTestKeyring(t)
	k := kr.current
	macKey := derive(t, "cognito-phone-otp/v1 code-mac", 32)
	sealKey := derive(t, "cognito-phone-otp/v1 seal", 32)
	idBytes := derive(t, "cognito-phone-otp/v1 key-id", 6)

	if !bytes.Equal(k.mac, macKey) {
		t.Errorf("MAC key = %x, want HKDF(secret, code-mac label) %x", k.mac, macKey)
	}
	if bytes.Equal(macKey, sealKey) {
		t.Error("MAC key equals sealing key")
	}
	if bytes.Contains(macKey, idBytes) || bytes.Contains(sealKey, idBytes) {
		t.Error("the public key id is part of a secret key")
	}
	if bytes.Equal(macKey, []byte(internalSecret)[:32]) || bytes.Equal(sealKey, []byte(internalSecret)[:32]) {
		t.Error("a derived key is the secret itself")
	}

	_, sealed, err := kr.Seal([]byte("123456"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gcm(t, k.mac).Open(nil, sealed[:12], sealed[12:], nil); err == nil {
		t.Error("the MAC key opens sealed codes")
	}
	_, mac := kr.MAC("c", "123456")
	m := hmac.New(sha256.New, sealKey)
	writeField(m, "c")
	writeField(m, "123456")
	if hmac.Equal(mac, m.Sum(nil)) {
		t.Error("the sealing key makes the same MACs as the MAC key")
	}
}
