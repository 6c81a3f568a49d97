package schema_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

const (
	secretOld = "old-secret-old-secret-old-secret-0"
	secretNew = "new-secret-new-secret-new-secret-0"

	messageID   = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	challengeID = "c0ffee00c0ffee00c0ffee00c0ffee00"
	phone       = "+15550100123"
)

func mustKeyring(t *testing.T, current string, previous ...string) *otp.Keyring {
	t.Helper()
	prev := make([][]byte, len(previous))
	for i, p := range previous {
		prev[i] = []byte(p)
	}
	kr, err := otp.NewKeyring([]byte(current), prev...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func mustMessage(t *testing.T, kr *otp.Keyring, code string, created, expires time.Time) schema.Message {
	t.Helper()
	m, err := schema.NewMessage(kr, messageID, challengeID, phone, "en", code, created, expires)
	if err != nil {
		t.Fatalf("NewMessage: %v", err)
	}
	return m
}

func TestMessageRoundTrip(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	// Sub-millisecond parts and a non-UTC zone: NewMessage keeps milliseconds in UTC.
	created := time.Date(2024, 5, 1, 14, 0, 0, 123_456_789, time.FixedZone("UTC+2", 2*3600))
	tests := []struct {
		name   string
		to     string
		locale string
		code   string
		ttl    time.Duration
	}{
		{name: "six digits", to: phone, locale: "en", code: "042917", ttl: 3 * time.Minute},
		{name: "four digits", to: "+447400123456", locale: "en-GB", code: "0000", ttl: 30 * time.Second},
		{name: "ten digits", to: "+919876543210", locale: "hi", code: "9999999999", ttl: 15 * time.Minute},
		{name: "shortest number", to: "+1555010", locale: "pt-BR", code: "123456", ttl: time.Millisecond},
		{name: "longest number", to: "+155501001234567", locale: "zh-Hant-TW", code: "864209", ttl: time.Minute},
	}
	for _, tc := range tests {
		m, err := schema.NewMessage(kr, messageID, challengeID, tc.to, tc.locale, tc.code, created, created.Add(tc.ttl))
		if err != nil {
			t.Errorf("%s: NewMessage: %v", tc.name, err)
			continue
		}
		want := schema.Message{
			Version:     1,
			MessageID:   messageID,
			ChallengeID: challengeID,
			To:          tc.to,
			KeyID:       kr.CurrentKeyID(),
			SealedCode:  m.SealedCode,
			Locale:      tc.locale,
			CreatedAt:   time.Date(2024, 5, 1, 12, 0, 0, 123_000_000, time.UTC),
			ExpiresAt:   created.Add(tc.ttl).UTC().Truncate(time.Millisecond),
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("%s: NewMessage mismatch (-want +got):\n%s", tc.name, diff)
		}
		if strings.Contains(m.SealedCode, tc.code) {
			t.Errorf("%s: sealedCode %q shows the code", tc.name, m.SealedCode)
		}

		body, err := m.Encode()
		if err != nil {
			t.Errorf("%s: Encode: %v", tc.name, err)
			continue
		}
		if strings.Contains(string(body), tc.code) {
			t.Errorf("%s: body shows the code: %s", tc.name, body)
		}
		got, err := schema.DecodeMessage(body)
		if err != nil {
			t.Errorf("%s: DecodeMessage: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("%s: decoded message mismatch (-want +got):\n%s", tc.name, diff)
		}
		code, err := got.OpenCode(kr)
		if err != nil || code != tc.code {
			t.Errorf("%s: OpenCode = %q, %v; want %q", tc.name, code, err, tc.code)
		}
	}
}

// TestProducedMessagesMatchSchema validates many messages from NewMessage
// against message.v1.schema.json. The inputs come from a seeded generator,
// so a failure names a reproducible case.
func TestProducedMessagesMatchSchema(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	src := rand.NewChaCha8([32]byte{'s', 'c', 'h', 'e', 'm', 'a'})
	rng := rand.New(src)
	locales := []string{"en", "de", "pt-BR", "zh-Hant-TW", "es-419", "fil", "sr-Latn-RS"}
	zones := []*time.Location{time.UTC, time.FixedZone("UTC-9:30", -(9*3600 + 1800)), time.FixedZone("UTC+14", 14*3600)}
	hexID := func() string { return fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64()) }
	for i := range 300 {
		digits := otp.MinDigits + rng.IntN(otp.MaxDigits-otp.MinDigits+1)
		code, err := otp.NewCode(src, digits)
		if err != nil {
			t.Fatal(err)
		}
		n := 7 + rng.IntN(9) // 7 to 15 digits after the +
		to := fmt.Sprintf("+%d", 1+rng.IntN(9))
		for len(to) < n+1 {
			to += fmt.Sprint(rng.IntN(10))
		}
		created := time.Unix(rng.Int64N(4_000_000_000), rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])
		ttl := time.Millisecond + time.Duration(rng.Int64N(int64(otp.MaxTTL)))
		m, err := schema.NewMessage(kr, hexID(), hexID(), to, locales[rng.IntN(len(locales))], code, created, created.Add(ttl))
		if err != nil {
			t.Fatalf("case %d: NewMessage: %v", i, err)
		}
		body, err := m.Encode()
		if err != nil {
			t.Fatalf("case %d: Encode: %v", i, err)
		}
		if err := schemaCheck(t, body); err != nil {
			t.Errorf("case %d: produced message fails the JSON Schema: %v\n%s", i, err, body)
		}
		got, err := schema.DecodeMessage(body)
		if err != nil {
			t.Errorf("case %d: DecodeMessage: %v\n%s", i, err, body)
			continue
		}
		if c, err := got.OpenCode(kr); err != nil || c != code {
			t.Errorf("case %d: OpenCode = %q, %v; want %q", i, c, err, code)
		}
	}
}

func TestNewMessageRefuses(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name                   string
		msgID, chalID, to, loc string
		created, expires       time.Time
		secretText             string // must not appear in the error
	}{
		{name: "national number", msgID: messageID, chalID: challengeID, to: "5550100123", loc: "en", created: created, expires: created.Add(time.Minute), secretText: "5550100123"},
		{name: "bad message id", msgID: "x", chalID: challengeID, to: phone, loc: "en", created: created, expires: created.Add(time.Minute), secretText: phone},
		{name: "bad challenge id", msgID: messageID, chalID: strings.ToUpper(challengeID), to: phone, loc: "en", created: created, expires: created.Add(time.Minute), secretText: phone},
		{name: "bad locale", msgID: messageID, chalID: challengeID, to: phone, loc: "en_US", created: created, expires: created.Add(time.Minute), secretText: phone},
		{name: "expired before created", msgID: messageID, chalID: challengeID, to: phone, loc: "en", created: created, expires: created.Add(-time.Minute), secretText: phone},
		{name: "same millisecond", msgID: messageID, chalID: challengeID, to: phone, loc: "en", created: created, expires: created.Add(999 * time.Microsecond), secretText: phone},
		{name: "longer than MaxTTL", msgID: messageID, chalID: challengeID, to: phone, loc: "en", created: created, expires: created.Add(otp.MaxTTL + time.Millisecond), secretText: phone},
		{name: "zero times", msgID: messageID, chalID: challengeID, to: phone, loc: "en", secretText: phone},
	}
	for _, tc := range tests {
		m, err := schema.NewMessage(kr, tc.msgID, tc.chalID, tc.to, tc.loc, "123456", tc.created, tc.expires)
		if !errors.Is(err, schema.ErrMalformed) {
			t.Errorf("%s: NewMessage = %+v, %v; want ErrMalformed", tc.name, m, err)
			continue
		}
		if strings.Contains(err.Error(), tc.secretText) || strings.Contains(err.Error(), "123456") {
			t.Errorf("%s: error shows the number or code: %v", tc.name, err)
		}
		if m != (schema.Message{}) {
			t.Errorf("%s: NewMessage returned %+v with an error", tc.name, m)
		}
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	m := mustMessage(t, kr, "123456", created, created.Add(time.Minute))
	m.To = "+0" + phone[1:]
	body, err := m.Encode()
	if !errors.Is(err, schema.ErrMalformed) || body != nil {
		t.Errorf("Encode of an invalid message = %q, %v; want ErrMalformed", body, err)
	}
	m.Version = 2
	if _, err := m.Encode(); !errors.Is(err, schema.ErrUnsupportedVersion) {
		t.Errorf("Encode of version 2: %v, want ErrUnsupportedVersion", err)
	}
}

// TestSealingBinds changes one field of a decoded, still valid message and
// expects OpenCode to refuse it: the code must not be redirected to another
// number, challenge or expiry.
func TestSealingBinds(t *testing.T) {
	kr := mustKeyring(t, secretNew, secretOld)
	old := mustKeyring(t, secretOld)
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	orig := mustMessage(t, kr, "042917", created, created.Add(3*time.Minute))
	body, err := orig.Encode()
	if err != nil {
		t.Fatal(err)
	}
	sealedUnderOld := mustMessage(t, old, "042917", created, created.Add(3*time.Minute))

	tests := []struct {
		name    string
		change  func(*schema.Message)
		wantErr error // nil: the field is not bound and the code opens
	}{
		{"to", func(m *schema.Message) { m.To = "+15550100124" }, otp.ErrOpen},
		{"challengeId", func(m *schema.Message) { m.ChallengeID = "c0ffee00c0ffee00c0ffee00c0ffee01" }, otp.ErrOpen},
		{"messageId", func(m *schema.Message) { m.MessageID = "0f1e2d3c4b5a69788796a5b4c3d2e1f1" }, otp.ErrOpen},
		{"expiresAt later", func(m *schema.Message) { m.ExpiresAt = m.ExpiresAt.Add(time.Millisecond) }, otp.ErrOpen},
		{"expiresAt earlier", func(m *schema.Message) { m.ExpiresAt = m.ExpiresAt.Add(-time.Minute) }, otp.ErrOpen},
		{"keyId of no configured secret", func(m *schema.Message) { m.KeyID = "000000000000" }, otp.ErrUnknownKey},
		{"keyId of the other configured secret", func(m *schema.Message) { m.KeyID = old.CurrentKeyID() }, otp.ErrOpen},
		{"sealedCode from another message", func(m *schema.Message) { m.SealedCode = sealedUnderOld.SealedCode }, otp.ErrOpen},
		{"sealedCode bit flipped", func(m *schema.Message) {
			b, _ := base64.StdEncoding.DecodeString(m.SealedCode)
			b[len(b)-1] ^= 1
			m.SealedCode = base64.StdEncoding.EncodeToString(b)
		}, otp.ErrOpen},
		{"sealedCode not base64", func(m *schema.Message) { m.SealedCode = strings.Repeat("!", len(m.SealedCode)) }, schema.ErrMalformed},
		// Not bound, as the Message doc says (version, id, challenge,
		// destination and expiry are): these change no delivery target.
		{"createdAt (not bound)", func(m *schema.Message) { m.CreatedAt = m.CreatedAt.Add(-time.Minute) }, nil},
		{"locale (not bound)", func(m *schema.Message) { m.Locale = "de" }, nil},
		{"nothing", func(*schema.Message) {}, nil},
	}
	for _, tc := range tests {
		m, err := schema.DecodeMessage(body)
		if err != nil {
			t.Fatal(err)
		}
		tc.change(&m)
		// The change alone must leave a valid message, so only the seal can catch it.
		if err := m.Validate(); err != nil {
			t.Errorf("%s: changed message is invalid, test proves nothing: %v", tc.name, err)
			continue
		}
		code, err := m.OpenCode(kr)
		if tc.wantErr == nil {
			if err != nil || code != "042917" {
				t.Errorf("%s: OpenCode = %q, %v; want the code", tc.name, code, err)
			}
			continue
		}
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: OpenCode = %q, %v; want %v", tc.name, code, err, tc.wantErr)
		}
		if code != "" {
			t.Errorf("%s: OpenCode returned %q with an error", tc.name, code)
		}
		if err != nil && strings.Contains(err.Error(), phone[1:]) {
			t.Errorf("%s: error shows the number: %v", tc.name, err)
		}
	}

	// The version is bound too; a decoded message is always version 1, so
	// change it on the struct.
	m := orig
	m.Version = 2
	if _, err := m.OpenCode(kr); !errors.Is(err, otp.ErrOpen) {
		t.Errorf("OpenCode with version changed: %v, want ErrOpen", err)
	}
}

func TestOpenCodeAcrossRotation(t *testing.T) {
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	m := mustMessage(t, mustKeyring(t, secretOld), "123456", created, created.Add(time.Minute))
	tests := []struct {
		name    string
		kr      *otp.Keyring
		wantErr error
	}{
		{"same secret", mustKeyring(t, secretOld), nil},
		{"rotated, old secret still previous", mustKeyring(t, secretNew, secretOld), nil},
		{"old secret removed", mustKeyring(t, secretNew), otp.ErrUnknownKey},
	}
	for _, tc := range tests {
		code, err := m.OpenCode(tc.kr)
		if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && code != "123456") {
			t.Errorf("%s: OpenCode = %q, %v; want error %v", tc.name, code, err, tc.wantErr)
		}
	}
}

// A message's country survives the wire, satisfies the JSON Schema, and is
// outside the seal: another country still opens the code (a queue writer
// can change only the route), and a message without one stays valid.
func TestMessageCountryRoundTrip(t *testing.T) {
	kr := mustKeyring(t, secretOld)
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, country := range []string{"IN", "US", ""} {
		m := mustMessage(t, kr, "042917", created, created.Add(3*time.Minute))
		m.Country = country
		body, err := m.Encode()
		if err != nil {
			t.Fatalf("%q: Encode: %v", country, err)
		}
		if err := schemaCheck(t, body); err != nil {
			t.Errorf("%q: schema: %v", country, err)
		}
		if has := strings.Contains(string(body), `"country"`); has != (country != "") {
			t.Errorf("%q: body %s", country, body)
		}
		got, err := schema.DecodeMessage(body)
		if err != nil {
			t.Fatalf("%q: DecodeMessage: %v", country, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("%q: decoded (-want +got):\n%s", country, diff)
		}
		got.Country = "GB"
		if code, err := got.OpenCode(kr); err != nil || code != "042917" {
			t.Errorf("%q: with another country OpenCode = %q, %v", country, code, err)
		}
	}
	m := mustMessage(t, kr, "042917", created, created.Add(3*time.Minute))
	for _, bad := range []string{"in", "IND", "I", "1N", "ÍN"} {
		m.Country = bad
		if _, err := m.Encode(); !errors.Is(err, schema.ErrMalformed) {
			t.Errorf("Encode with country %q: %v, want ErrMalformed", bad, err)
		}
	}
}
