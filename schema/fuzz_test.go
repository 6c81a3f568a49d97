package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// Fuzz targets for the queue message decoding and unsealing, v1 and v2.
// Invariants: what decodes also validates and round-trips; what opens is
// exactly what was sealed (every unsealed field is bound); no error names
// the number or the code.

var fuzzNumber = testutil.FullNumber

func addMessageSeeds(f *testing.F) {
	paths, err := filepath.Glob("testdata/messages/*.json")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds (%v)", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func fuzzKeyring(f *testing.F, secret string) *otp.Keyring {
	kr, err := otp.NewKeyring([]byte(secret))
	if err != nil {
		f.Fatal(err)
	}
	return kr
}

// errorLeaks reports a full number or one of the secrets in an error.
func errorLeaks(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if m := fuzzNumber.FindString(err.Error()); m != "" {
		t.Errorf("error names a number %s: %v", m, err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error holds the secret %q: %v", s, err)
		}
	}
}

func FuzzDecodeMessage(f *testing.F) {
	addMessageSeeds(f)
	kr := fuzzKeyring(f, fixtureSecret)
	// Every fixture that opens, by its bound fields: only those fields, and
	// no others, may open a sealed code.
	sealed := map[string]string{}
	paths, _ := filepath.Glob("testdata/messages/*.json")
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		if m, err := schema.DecodeMessage(b); err == nil {
			if code, err := m.OpenCode(kr); err == nil {
				sealed[boundFields(m)] = code
			}
		}
	}
	if len(sealed) == 0 {
		f.Fatal("no fixture opens")
	}
	const sealedCode = "042917"
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := schema.DecodeMessage(body)
		if err != nil {
			errorLeaks(t, err, sealedCode)
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded but invalid: %v", err)
		}
		enc, err := m.Encode()
		if err != nil {
			t.Fatalf("decoded but not encodable: %v", err)
		}
		again, err := schema.DecodeMessage(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if d := cmp.Diff(m, again); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
		code, err := m.OpenCode(kr)
		if err != nil {
			errorLeaks(t, err, sealedCode)
			return
		}
		if want, ok := sealed[boundFields(m)]; !ok || code != want {
			t.Fatalf("opened %q from an altered message %+v", code, m)
		}
	})
}

// boundFields are the fields a sealed code is bound to, as one key.
func boundFields(m schema.Message) string {
	return strings.Join([]string{m.MessageID, m.ChallengeID, m.To, m.KeyID, m.SealedCode, m.Locale,
		m.CreatedAt.UTC().Format(time.RFC3339Nano), m.ExpiresAt.UTC().Format(time.RFC3339Nano)}, "|")
}

func FuzzDecodeCognitoSMS(f *testing.F) {
	const secret = "0123456789abcdef0123456789abcdef"
	kr := fuzzKeyring(f, secret)
	created := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	want := schema.CognitoSecret{Code: "Tmp#Pass w0rd!", Username: "alice"}
	orig, err := schema.NewCognitoSMS(kr, schema.KindAdminCreateUser, strings.Repeat("a", 32), strings.Repeat("b", 32),
		"+14155550123", "pt-BR", want, created, created.Add(10*time.Minute))
	if err != nil {
		f.Fatal(err)
	}
	body, err := orig.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	addMessageSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := schema.DecodeCognitoSMS(body)
		if err != nil {
			errorLeaks(t, err, want.Code, "alice")
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded but invalid: %v", err)
		}
		enc, err := m.Encode()
		if err != nil {
			t.Fatalf("decoded but not encodable: %v", err)
		}
		if !schema.IsCognitoSMS(enc) {
			t.Fatal("a decoded v2 message is not recognised as v2")
		}
		got, err := m.Open(kr)
		if err != nil {
			errorLeaks(t, err, want.Code, "alice")
			return
		}
		if got != want || m.To != orig.To || m.Kind != orig.Kind || m.JobID != orig.JobID ||
			m.MessageID != orig.MessageID || m.Locale != orig.Locale ||
			!m.CreatedAt.Equal(orig.CreatedAt) || !m.ExpiresAt.Equal(orig.ExpiresAt) {
			t.Fatalf("opened %+v from an altered message %+v", got, m)
		}
	})
}

// A delivery check either decodes to a valid job and a provider message id
// that NewCheck itself would write, or is refused without echoing a number.
func FuzzDecodeCheck(f *testing.F) {
	kr := fuzzKeyring(f, fixtureSecret)
	created := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	job, err := schema.NewMessage(kr, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", "042917", created, created.Add(3*time.Minute))
	if err != nil {
		f.Fatal(err)
	}
	body, err := schema.NewCheck(job, "twilio", "SM"+strings.Repeat("c", 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte(`{"version":3}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		chk, m, err := schema.DecodeCheck(body)
		if err != nil {
			errorLeaks(t, err, "042917")
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded an invalid job: %v", err)
		}
		if _, err := schema.NewCheck(m, chk.Provider, chk.ProviderMessageID); err != nil {
			t.Fatalf("decoded a check NewCheck refuses: %v", err)
		}
	})
}
