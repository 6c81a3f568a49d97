package otp_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

const (
	secretOld = "old-secret-old-secret-old-secret-0" // 34 bytes
	secretNew = "new-secret-new-secret-new-secret-0"

	challengeID = "0123456789abcdef0123456789abcdef"
)

// Known answers, computed independently of this package (Python's hmac and
// hashlib: HKDF-SHA256 with no salt, info = the v1 label; HMAC-SHA256 over
// the length-prefixed challenge id and code "123456"). If these change, every
// stored MAC and queued message stops verifying at deploy: that needs a new
// label version, not a new golden value.
const (
	keyIDOld  = "e119d402db71"
	keyIDNew  = "3f3eb59646af"
	macOldHex = "4ce763e264cc1358a2d27bc85c03d3d7533493f28b41cd279343be6ecba7ae61"
	macNewHex = "7274cfdace1d34f7f8909f10480a76982aeb179105a1dc3fa943f606642fbe59"
)

var reKeyID = regexp.MustCompile(`^[0-9a-f]{12}$`)

func mustKeyring(t *testing.T, current string, previous ...string) *otp.Keyring {
	t.Helper()
	prev := make([][]byte, len(previous))
	for i, p := range previous {
		prev[i] = []byte(p)
	}
	kr, err := otp.NewKeyring([]byte(current), prev...)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return kr
}

func mustParseSecret(t *testing.T, value string) *otp.Keyring {
	t.Helper()
	kr, err := otp.ParseSecret([]byte(value))
	if err != nil {
		t.Fatalf("ParseSecret: %v", err)
	}
	return kr
}

func TestKeyringKnownAnswers(t *testing.T) {
	tests := []struct {
		secret, keyID, mac string
	}{
		{secretOld, keyIDOld, macOldHex},
		{secretNew, keyIDNew, macNewHex},
	}
	for _, tc := range tests {
		kr := mustKeyring(t, tc.secret)
		if got := kr.CurrentKeyID(); got != tc.keyID {
			t.Errorf("CurrentKeyID(%q) = %q, want %q", tc.secret, got, tc.keyID)
		}
		keyID, mac := kr.MAC(challengeID, "123456")
		if keyID != tc.keyID || hex.EncodeToString(mac) != tc.mac {
			t.Errorf("MAC under %q = %s %x, want %s %s", tc.secret, keyID, mac, tc.keyID, tc.mac)
		}
	}
}

func TestMACDeterministic(t *testing.T) {
	a, b := mustKeyring(t, secretOld), mustParseSecret(t, secretOld)
	idA, macA := a.MAC(challengeID, "123456")
	idB, macB := b.MAC(challengeID, "123456")
	if idA != idB || !bytes.Equal(macA, macB) {
		t.Errorf("same secret, different MACs: %s %x and %s %x", idA, macA, idB, macB)
	}
	if len(macA) != 32 {
		t.Errorf("MAC is %d bytes, want 32 (HMAC-SHA256)", len(macA))
	}
}

func TestMACInputsAreDistinct(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	// Each pair must give different MACs.
	tests := []struct {
		name  string
		id1   string
		code1 string
		id2   string
		code2 string
	}{
		{"different challenge", challengeID, "123456", "ffffffffffffffffffffffffffffffff", "123456"},
		{"different code", challengeID, "123456", challengeID, "123457"},
		{"leading zero is part of the code", challengeID, "012345", challengeID, "12345"},
		{"fields swapped", "123456", challengeID, challengeID, "123456"},
		{"length prefix: ab|c vs a|bc", "ab", "c", "a", "bc"},
		{"length prefix: empty id", "", "abc", "abc", ""},
		{"length prefix: both empty vs one byte", "", "", "", "\x00"},
	}
	for _, tc := range tests {
		_, m1 := kr.MAC(tc.id1, tc.code1)
		_, m2 := kr.MAC(tc.id2, tc.code2)
		if bytes.Equal(m1, m2) {
			t.Errorf("%s: MAC(%q, %q) == MAC(%q, %q)", tc.name, tc.id1, tc.code1, tc.id2, tc.code2)
		}
	}
}

func TestCheckMAC(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	other := mustKeyring(t, secretNew)
	keyID, mac := kr.MAC(challengeID, "123456")
	otherID, otherMAC := other.MAC(challengeID, "123456")
	flipped := bytes.Clone(mac)
	flipped[31] ^= 1

	tests := []struct {
		name        string
		keyID       string
		mac         []byte
		challengeID string
		code        string
		want        bool
	}{
		{"correct", keyID, mac, challengeID, "123456", true},
		{"wrong code", keyID, mac, challengeID, "123457", false},
		{"empty code", keyID, mac, challengeID, "", false},
		{"wrong challenge", keyID, mac, "ffffffffffffffffffffffffffffffff", "123456", false},
		{"flipped bit", keyID, flipped, challengeID, "123456", false},
		{"truncated mac", keyID, mac[:16], challengeID, "123456", false},
		{"nil mac", keyID, nil, challengeID, "123456", false},
		{"unknown key id", "000000000000", mac, challengeID, "123456", false},
		{"empty key id", "", mac, challengeID, "123456", false},
		{"other secret's key id", otherID, otherMAC, challengeID, "123456", false},
		{"other secret's mac under our key id", keyID, otherMAC, challengeID, "123456", false},
	}
	for _, tc := range tests {
		if got := kr.CheckMAC(tc.keyID, tc.mac, tc.challengeID, tc.code); got != tc.want {
			t.Errorf("%s: CheckMAC = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRotation(t *testing.T) {
	old := mustParseSecret(t, secretOld)
	oldID, oldMAC := old.MAC(challengeID, "123456")
	_, sealed, err := old.Seal([]byte("123456"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}

	rotated := mustParseSecret(t, fmt.Sprintf(`{"current": %q, "previous": [%q]}`, secretNew, secretOld))

	if got := rotated.CurrentKeyID(); got != keyIDNew {
		t.Errorf("rotated CurrentKeyID = %q, want the new secret's %q", got, keyIDNew)
	}
	if !rotated.CheckMAC(oldID, oldMAC, challengeID, "123456") {
		t.Error("MAC made under the old secret does not verify after rotation")
	}
	if rotated.CheckMAC(oldID, oldMAC, challengeID, "654321") {
		t.Error("old MAC verifies a wrong code after rotation")
	}
	newID, newMAC := rotated.MAC(challengeID, "123456")
	if newID != keyIDNew || hex.EncodeToString(newMAC) != macNewHex {
		t.Errorf("new MAC = %s %x, want the new key's %s %s", newID, newMAC, keyIDNew, macNewHex)
	}
	if !rotated.CheckMAC(newID, newMAC, challengeID, "123456") {
		t.Error("new MAC does not verify")
	}
	if pt, err := rotated.Open(oldID, sealed, []byte("ad")); err != nil || string(pt) != "123456" {
		t.Errorf("Open of a code sealed before rotation = %q, %v", pt, err)
	}
	if id, _, err := rotated.Seal([]byte("1"), nil); err != nil || id != keyIDNew {
		t.Errorf("Seal after rotation uses key %q (%v), want %q", id, err, keyIDNew)
	}

	// Once the old secret is dropped, its MACs name an unknown key.
	done := mustParseSecret(t, fmt.Sprintf(`{"current": %q}`, secretNew))
	if done.CheckMAC(oldID, oldMAC, challengeID, "123456") {
		t.Error("old MAC verifies after the old secret was removed")
	}
	if _, err := done.Open(oldID, sealed, []byte("ad")); !errors.Is(err, otp.ErrUnknownKey) {
		t.Errorf("Open under a removed key: %v, want ErrUnknownKey", err)
	}
	// A ring that only knows the old secret cannot check the new MACs.
	if old.CheckMAC(newID, newMAC, challengeID, "123456") {
		t.Error("old ring verifies a MAC made under the new key")
	}
}

func TestParseSecretForms(t *testing.T) {
	tests := []struct {
		name      string
		value     string
		wantID    string
		wantKnown []string // key ids CheckMAC must accept
	}{
		{name: "plain", value: secretOld, wantID: keyIDOld, wantKnown: []string{keyIDOld}},
		{name: "plain, trailing newline trimmed", value: secretOld + "\n", wantID: keyIDOld, wantKnown: []string{keyIDOld}},
		{name: "plain, surrounding spaces trimmed", value: "  \t" + secretOld + " \r\n", wantID: keyIDOld, wantKnown: []string{keyIDOld}},
		{name: "json, current only", value: `{"current":"` + secretOld + `"}`, wantID: keyIDOld, wantKnown: []string{keyIDOld}},
		{name: "json, empty previous", value: `{"current":"` + secretOld + `","previous":[]}`, wantID: keyIDOld, wantKnown: []string{keyIDOld}},
		{name: "json, leading whitespace", value: "\n  {\"current\":\"" + secretNew + "\",\"previous\":[\"" + secretOld + "\"]}\n", wantID: keyIDNew, wantKnown: []string{keyIDNew, keyIDOld}},
		{name: "json, previous equal to current", value: `{"current":"` + secretOld + `","previous":["` + secretOld + `"]}`, wantID: keyIDOld, wantKnown: []string{keyIDOld}},
	}
	for _, tc := range tests {
		kr, err := otp.ParseSecret([]byte(tc.value))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := kr.CurrentKeyID(); got != tc.wantID {
			t.Errorf("%s: CurrentKeyID = %q, want %q", tc.name, got, tc.wantID)
		}
		for _, secret := range []string{secretOld, secretNew} {
			id, mac := mustKeyring(t, secret).MAC(challengeID, "123456")
			want := false
			for _, k := range tc.wantKnown {
				want = want || k == id
			}
			if got := kr.CheckMAC(id, mac, challengeID, "123456"); got != want {
				t.Errorf("%s: CheckMAC of a MAC under key %s = %v, want %v", tc.name, id, got, want)
			}
		}
	}
}

func TestSecretRefused(t *testing.T) {
	const hidden = "hunter2-hunter2-hunter2" // must never appear in an error
	long := strings.Repeat("s", otp.MinSecretLen)
	tests := []struct {
		name  string
		value string
	}{
		{name: "empty", value: ""},
		{name: "whitespace only", value: " \n\t "},
		{name: "31 bytes", value: strings.Repeat("x", otp.MinSecretLen-1)},
		{name: "short, padded with spaces to 32", value: hidden + strings.Repeat(" ", 20)},
		{name: "short plain", value: hidden},
		{name: "json, short current", value: `{"current":"` + hidden + `"}`},
		{name: "json, no current", value: `{"previous":["` + long + `"]}`},
		{name: "json, short previous", value: `{"current":"` + long + `","previous":["` + hidden + `"]}`},
		{name: "json, truncated", value: `{"current":"` + hidden + long},
		{name: "json, current is a number", value: `{"current":12345678901234567890123456789012345, "x":"` + hidden + `"}`},
		{name: "json, previous is a string", value: `{"current":"` + long + `","previous":"` + hidden + long + `"}`},
		{name: "json, trailing data", value: `{"current":"` + long + `"} "` + hidden + `"`},
		{name: "json, not JSON at all", value: `{` + hidden + long + `}`},
		{name: "json, single quotes", value: `{'current':'` + hidden + long + `'}`},
	}
	for _, tc := range tests {
		kr, err := otp.ParseSecret([]byte(tc.value))
		if err == nil {
			t.Errorf("%s: ParseSecret accepted %q (key %s)", tc.name, tc.value, kr.CurrentKeyID())
			continue
		}
		if strings.Contains(err.Error(), hidden) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error quotes the secret: %v", tc.name, err)
		}
	}
}

func TestNewKeyringRefusesShortSecrets(t *testing.T) {
	long := []byte(strings.Repeat("k", otp.MinSecretLen))
	short := []byte(strings.Repeat("k", otp.MinSecretLen-1))
	tests := []struct {
		name     string
		current  []byte
		previous [][]byte
		wantErr  bool
		wantText string // what the error must name
	}{
		{name: "exactly 32 bytes", current: long},
		{name: "binary 32 bytes", current: bytes.Repeat([]byte{0}, 32)},
		{name: "31 bytes", current: short, wantErr: true, wantText: "current secret"},
		{name: "nil", current: nil, wantErr: true, wantText: "current secret"},
		{name: "short previous", current: long, previous: [][]byte{long, short}, wantErr: true, wantText: "previous secret 2"},
	}
	for _, tc := range tests {
		_, err := otp.NewKeyring(tc.current, tc.previous...)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: NewKeyring error = %v, want error %v", tc.name, err, tc.wantErr)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tc.wantText) {
			t.Errorf("%s: error %q does not name %q", tc.name, err, tc.wantText)
		}
	}
}

func TestKeyIDs(t *testing.T) {
	seen := map[string]int{}
	for i := range 200 {
		secret := fmt.Sprintf("secret-number-%04d-padded-to-32-bytes", i)
		kr := mustKeyring(t, secret)
		id := kr.CurrentKeyID()
		if !reKeyID.MatchString(id) {
			t.Fatalf("key id %q of secret %d is not 12 lower-case hex digits", id, i)
		}
		if j, dup := seen[id]; dup {
			t.Fatalf("secrets %d and %d share key id %s", j, i, id)
		}
		seen[id] = i
		if strings.Contains(secret, id) {
			t.Fatalf("key id %q is part of the secret", id)
		}
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	tests := []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{name: "code", plaintext: []byte("042917"), ad: otp.AssociatedData("otp-sms", "1", challengeID)},
		{name: "empty plaintext", plaintext: []byte{}, ad: []byte("ad")},
		{name: "no associated data", plaintext: []byte("1234"), ad: nil},
		{name: "long plaintext", plaintext: bytes.Repeat([]byte("x"), 4096), ad: []byte("ad")},
	}
	for _, tc := range tests {
		keyID, sealed, err := kr.Seal(tc.plaintext, tc.ad)
		if err != nil {
			t.Errorf("%s: Seal: %v", tc.name, err)
			continue
		}
		if keyID != keyIDOld {
			t.Errorf("%s: Seal key id = %q, want %q", tc.name, keyID, keyIDOld)
		}
		// nonce (12) || ciphertext || tag (16)
		if want := 12 + len(tc.plaintext) + 16; len(sealed) != want {
			t.Errorf("%s: sealed is %d bytes, want %d", tc.name, len(sealed), want)
		}
		if len(tc.plaintext) >= 4 && bytes.Contains(sealed, tc.plaintext) {
			t.Errorf("%s: sealed bytes contain the plaintext", tc.name)
		}
		got, err := kr.Open(keyID, sealed, tc.ad)
		if err != nil {
			t.Errorf("%s: Open: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.plaintext, got, cmp.Comparer(bytes.Equal)); diff != "" {
			t.Errorf("%s: Open mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
}

type openCase struct {
	name    string
	kr      *otp.Keyring
	keyID   string
	sealed  []byte
	ad      []byte
	wantErr error
}

func TestOpenRefuses(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	other := mustKeyring(t, secretNew)
	both := mustKeyring(t, secretNew, secretOld)
	ad := otp.AssociatedData("otp-sms", "1", challengeID, "+15550100123")
	keyID, sealed, err := kr.Seal([]byte("123456"), ad)
	if err != nil {
		t.Fatal(err)
	}
	otherID, otherSealed, err := other.Seal([]byte("123456"), ad)
	if err != nil {
		t.Fatal(err)
	}
	tests := []openCase{
		{"unknown key id", kr, "000000000000", sealed, ad, otp.ErrUnknownKey},
		{"empty key id", kr, "", sealed, ad, otp.ErrUnknownKey},
		{"other secret's key id", kr, otherID, otherSealed, ad, otp.ErrUnknownKey},
		{"key id of a different known key", both, otherID, sealed, ad, otp.ErrOpen},
		{"other ciphertext under our key id", both, keyID, otherSealed, ad, otp.ErrOpen},
		{"tampered associated data", kr, keyID, sealed, otp.AssociatedData("otp-sms", "1", challengeID, "+15550100124"), otp.ErrOpen},
		{"missing associated data", kr, keyID, sealed, nil, otp.ErrOpen},
		{"extra associated data", kr, keyID, sealed, append(bytes.Clone(ad), 0), otp.ErrOpen},
		{"nil", kr, keyID, nil, ad, otp.ErrOpen},
		{"nonce only", kr, keyID, sealed[:12], ad, otp.ErrOpen},
		{"one byte short of nonce and tag", kr, keyID, sealed[:12+16-1], ad, otp.ErrOpen},
		{"nonce and tag, no ciphertext", kr, keyID, append(bytes.Clone(sealed[:12]), sealed[len(sealed)-16:]...), ad, otp.ErrOpen},
		{"last byte cut", kr, keyID, sealed[:len(sealed)-1], ad, otp.ErrOpen},
		{"byte appended", kr, keyID, append(bytes.Clone(sealed), 0), ad, otp.ErrOpen},
	}
	for i := range sealed {
		tampered := bytes.Clone(sealed)
		tampered[i] ^= 0x01
		tests = append(tests, openCase{fmt.Sprintf("bit flipped in byte %d", i), kr, keyID, tampered, ad, otp.ErrOpen})
	}
	for _, tc := range tests {
		pt, err := tc.kr.Open(tc.keyID, tc.sealed, tc.ad)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: Open = %q, %v; want %v", tc.name, pt, err, tc.wantErr)
		}
		if pt != nil {
			t.Errorf("%s: Open returned plaintext %q with an error", tc.name, pt)
		}
	}
}

func TestSealNoncesDiffer(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	const n = 2000
	nonces := make(map[string]bool, n)
	for range n {
		_, sealed, err := kr.Seal([]byte("123456"), nil)
		if err != nil {
			t.Fatal(err)
		}
		nonce := string(sealed[:12])
		if nonces[nonce] {
			t.Fatalf("nonce %x repeated within %d seals", nonce, n)
		}
		nonces[nonce] = true
	}
}

func TestMACAndSealAreSeparate(t *testing.T) {
	// Basic sanity from outside the package; keys_internal_test.go checks
	// the derived keys themselves.
	kr := mustKeyring(t, secretOld)
	_, mac := kr.MAC(challengeID, "123456")
	_, sealed, err := kr.Seal([]byte("123456"), otp.AssociatedData(challengeID))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, mac[:8]) || bytes.Contains(mac, sealed[12:20]) {
		t.Error("MAC and sealed code share bytes")
	}
	// A MAC is not a sealed code: opening it must fail authentication.
	if _, err := kr.Open(kr.CurrentKeyID(), mac, otp.AssociatedData(challengeID)); !errors.Is(err, otp.ErrOpen) {
		t.Errorf("Open(MAC) error = %v, want ErrOpen", err)
	}
}

func TestAssociatedData(t *testing.T) {
	tests := []struct {
		fields []string
		want   []byte
	}{
		{fields: nil, want: nil},
		{fields: []string{""}, want: []byte{0, 0, 0, 0}},
		{fields: []string{"a", "bc"}, want: []byte{0, 0, 0, 1, 'a', 0, 0, 0, 2, 'b', 'c'}},
		{fields: []string{"ab", "c"}, want: []byte{0, 0, 0, 2, 'a', 'b', 0, 0, 0, 1, 'c'}},
	}
	for _, tc := range tests {
		got := otp.AssociatedData(tc.fields...)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("AssociatedData(%q) = %x, want %x", tc.fields, got, tc.want)
		}
	}
}
