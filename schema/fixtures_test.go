package schema_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// fixtureSecret sealed the code 042917 in testdata/messages/valid.json.
const fixtureSecret = "fixture-secret-fixture-secret-fixture-0"

// messageFixtures lists every file in testdata/messages, named by its case.
//
// wantErr is what DecodeMessage must return (errors.Is), nil for accepted.
// The JSON Schema must agree (valid iff DecodeMessage accepts) unless
// schemaDiffers says why it cannot: each such case is a rule the Go decoder
// enforces beyond what message.v1.schema.json can express.
var messageFixtures = []struct {
	name          string
	wantErr       error
	schemaDiffers string
}{
	{name: "valid"},
	{name: "valid-offset-times"},
	{name: "valid-expiry-exactly-15-min"},
	{name: "valid-phone-shortest"},
	{name: "valid-phone-longest"},
	{name: "valid-locale-script-region"},
	{name: "valid-channel-whatsapp"},
	{name: "channel-unknown", wantErr: schema.ErrMalformed},
	{name: "channel-empty", wantErr: schema.ErrMalformed},
	{name: "valid-country"},
	{name: "country-lower-case", wantErr: schema.ErrMalformed},
	{name: "country-three-letters", wantErr: schema.ErrMalformed},
	{name: "country-empty", wantErr: schema.ErrMalformed},
	{name: "country-null", wantErr: schema.ErrMalformed},
	// Neither side checks base64 on decode (contentEncoding is an annotation
	// in 2020-12); OpenCode refuses it (TestFixtureOpenCode).
	{name: "valid-sealed-code-not-base64"},

	{name: "version-2", wantErr: schema.ErrUnsupportedVersion},
	// The version is judged before anything else: a v2 message may add fields.
	{name: "version-2-with-new-field", wantErr: schema.ErrUnsupportedVersion},
	{name: "version-float", wantErr: schema.ErrUnsupportedVersion,
		schemaDiffers: `JSON Schema "const": 1 equals 1.0 numerically; the decoder wants the integer 1`},
	// A string, null, bool or absent version is not a version at all.
	{name: "version-string", wantErr: schema.ErrMalformed},
	{name: "version-missing", wantErr: schema.ErrMalformed},
	{name: "version-null", wantErr: schema.ErrMalformed},
	{name: "version-bool", wantErr: schema.ErrMalformed},

	{name: "unknown-field", wantErr: schema.ErrMalformed},
	{name: "field-name-wrong-case", wantErr: schema.ErrMalformed},
	{name: "duplicate-version-key", wantErr: schema.ErrMalformed,
		schemaDiffers: "with duplicate keys the schema validator sees only the last value (1); the decoder also reads the first (not an integer)"},

	{name: "wrong-type-to-number", wantErr: schema.ErrMalformed},
	{name: "wrong-type-message-id-number", wantErr: schema.ErrMalformed},
	{name: "wrong-type-created-at-number", wantErr: schema.ErrMalformed},
	{name: "wrong-type-locale-null", wantErr: schema.ErrMalformed},
	{name: "wrong-type-sealed-code-array", wantErr: schema.ErrMalformed},

	{name: "to-no-plus", wantErr: schema.ErrMalformed},
	{name: "to-leading-zero", wantErr: schema.ErrMalformed},
	{name: "to-too-short", wantErr: schema.ErrMalformed},
	{name: "to-too-long", wantErr: schema.ErrMalformed},
	{name: "to-spaces", wantErr: schema.ErrMalformed},
	{name: "to-trailing-newline", wantErr: schema.ErrMalformed},

	{name: "message-id-upper-case", wantErr: schema.ErrMalformed},
	{name: "message-id-short", wantErr: schema.ErrMalformed},
	{name: "challenge-id-not-hex", wantErr: schema.ErrMalformed},
	{name: "challenge-id-missing", wantErr: schema.ErrMalformed},
	{name: "key-id-long", wantErr: schema.ErrMalformed},
	{name: "sealed-code-too-short", wantErr: schema.ErrMalformed},
	{name: "sealed-code-too-long", wantErr: schema.ErrMalformed},

	{name: "locale-underscore", wantErr: schema.ErrMalformed},
	{name: "locale-empty", wantErr: schema.ErrMalformed},
	{name: "locale-too-long", wantErr: schema.ErrMalformed},
	{name: "locale-digits", wantErr: schema.ErrMalformed},

	{name: "created-at-missing", wantErr: schema.ErrMalformed},
	{name: "created-at-not-rfc3339", wantErr: schema.ErrMalformed},
	{name: "created-at-zero", wantErr: schema.ErrMalformed,
		schemaDiffers: "0001-01-01T00:00:00Z is a valid date-time; the decoder reads it as unset"},
	{name: "date-time-lower-case-t", wantErr: schema.ErrMalformed,
		schemaDiffers: "RFC 3339 allows lower-case t and z; Go's time parser does not"},
	{name: "date-time-leap-second", wantErr: schema.ErrMalformed,
		schemaDiffers: "RFC 3339 allows second 60 at 23:59 UTC; Go's time parser does not"},
	{name: "expires-before-created", wantErr: schema.ErrMalformed,
		schemaDiffers: "JSON Schema cannot compare two fields: expiresAt must be after createdAt"},
	{name: "expires-equal-created", wantErr: schema.ErrMalformed,
		schemaDiffers: "JSON Schema cannot compare two fields: expiresAt must be after createdAt"},
	{name: "expiry-over-15-min", wantErr: schema.ErrMalformed,
		schemaDiffers: "JSON Schema cannot compare two fields: expiresAt at most 15 minutes after createdAt"},

	{name: "oversized", wantErr: schema.ErrMalformed,
		schemaDiffers: "the 4096-byte limit is on the body; this one is a valid message padded with whitespace"},
	{name: "trailing-data", wantErr: schema.ErrMalformed},
	{name: "trailing-garbage", wantErr: schema.ErrMalformed},
	{name: "not-json", wantErr: schema.ErrMalformed},
	{name: "top-level-array", wantErr: schema.ErrMalformed},
	{name: "null", wantErr: schema.ErrMalformed},
	{name: "truncated", wantErr: schema.ErrMalformed},
	{name: "empty-object", wantErr: schema.ErrMalformed},
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "messages", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFixturesListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "messages", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, listed []string
	for _, f := range files {
		onDisk = append(onDisk, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	for _, fx := range messageFixtures {
		listed = append(listed, fx.name)
	}
	slices.Sort(onDisk)
	slices.Sort(listed)
	if diff := cmp.Diff(onDisk, listed); diff != "" {
		t.Errorf("fixtures on disk and in messageFixtures differ (-disk +table):\n%s", diff)
	}
}

// reTo finds the destination in a fixture, JSON or not, in any key case.
var reTo = regexp.MustCompile(`(?i)"to"\s*:\s*"?([^",}\n]*)|to=([^&\s]*)`)

// phoneTexts returns the forms of the fixture's phone number an error must
// not contain: as written, and its digits alone (at least 6, so short
// digit strings such as byte offsets don't count).
func phoneTexts(body []byte) []string {
	var out []string
	for _, m := range reTo.FindAllSubmatch(body, -1) {
		v := strings.TrimSpace(string(m[1]) + string(m[2]))
		v = strings.ReplaceAll(v, "%2B", "+")
		if v == "" {
			continue
		}
		out = append(out, v)
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, v)
		if len(digits) >= 6 {
			out = append(out, digits)
		}
	}
	return out
}

func TestDecodeMessageFixtures(t *testing.T) {
	for _, fx := range messageFixtures {
		body := readFixture(t, fx.name)
		m, err := schema.DecodeMessage(body)

		switch {
		case fx.wantErr == nil && err != nil:
			t.Errorf("%s: DecodeMessage: %v", fx.name, err)
		case fx.wantErr != nil && !errors.Is(err, fx.wantErr):
			t.Errorf("%s: DecodeMessage error = %v, want %v", fx.name, err, fx.wantErr)
		case fx.wantErr != nil:
			// A worker routes on the class: never both.
			other := schema.ErrMalformed
			if fx.wantErr == schema.ErrMalformed {
				other = schema.ErrUnsupportedVersion
			}
			if errors.Is(err, other) {
				t.Errorf("%s: error %v is both %v and %v", fx.name, err, fx.wantErr, other)
			}
			if m != (schema.Message{}) {
				t.Errorf("%s: DecodeMessage returned %+v with an error", fx.name, m)
			}
		}

		texts := phoneTexts(body)
		if len(texts) == 0 && !slices.Contains([]string{"null", "empty-object"}, fx.name) {
			t.Errorf("%s: fixture has no phone number to look for", fx.name)
		}
		if err != nil {
			for _, p := range texts {
				if strings.Contains(err.Error(), p) {
					t.Errorf("%s: error %q contains the phone number %q", fx.name, err, p)
				}
			}
		}
	}
}

func TestFixturesSchemaAgreesWithDecoder(t *testing.T) {
	for _, fx := range messageFixtures {
		body := readFixture(t, fx.name)
		_, decErr := schema.DecodeMessage(body)
		schemaErr := schemaCheck(t, body)
		goOK, schemaOK := decErr == nil, schemaErr == nil
		if fx.schemaDiffers == "" && goOK != schemaOK {
			t.Errorf("%s: DecodeMessage accepts: %v (%v); JSON Schema accepts: %v (%v)", fx.name, goOK, decErr, schemaOK, schemaErr)
		}
		if fx.schemaDiffers != "" && goOK == schemaOK {
			t.Errorf("%s: listed as differing (%s), but both %s it; remove the exception",
				fx.name, fx.schemaDiffers, map[bool]string{true: "accept", false: "refuse"}[goOK])
		}
	}
}

func TestFixtureOpenCode(t *testing.T) {
	kr := mustKeyring(t, fixtureSecret)
	m, err := schema.DecodeMessage(readFixture(t, "valid"))
	if err != nil {
		t.Fatal(err)
	}
	want := schema.Message{
		Version:     1,
		MessageID:   messageID,
		ChallengeID: challengeID,
		To:          phone,
		KeyID:       kr.CurrentKeyID(),
		SealedCode:  "uAu2UpI65yOT3UDJnGRhh0A3nsLmO6pnzNFxTTFkCO4rIw==",
		Locale:      "en",
		CreatedAt:   time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		ExpiresAt:   time.Date(2024, 5, 1, 12, 3, 0, 0, time.UTC),
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("valid.json decoded (-want +got):\n%s", diff)
	}
	// A message sealed by an earlier build still opens: the seal format is stable.
	if code, err := m.OpenCode(kr); err != nil || code != "042917" {
		t.Errorf("OpenCode(valid.json) = %q, %v; want 042917", code, err)
	}
	if _, err := m.OpenCode(mustKeyring(t, secretOld)); !errors.Is(err, otp.ErrUnknownKey) {
		t.Errorf("OpenCode under another secret: %v, want ErrUnknownKey", err)
	}

	// Decodes, but the sealed code is not base64.
	m, err = schema.DecodeMessage(readFixture(t, "valid-sealed-code-not-base64"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.OpenCode(kr); !errors.Is(err, schema.ErrMalformed) {
		t.Errorf("OpenCode of a non-base64 sealedCode: %v, want ErrMalformed", err)
	}
	// The other valid fixtures keep valid.json's seal with changed fields: refused.
	for _, name := range []string{"valid-offset-times", "valid-expiry-exactly-15-min", "valid-phone-shortest"} {
		m, err := schema.DecodeMessage(readFixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.OpenCode(kr); !errors.Is(err, otp.ErrOpen) {
			t.Errorf("%s: OpenCode = %v, want ErrOpen", name, err)
		}
	}
}

func TestDecodeMessageEdges(t *testing.T) {
	valid := readFixture(t, "valid")
	tests := []struct {
		name    string
		body    []byte
		wantErr error
	}{
		{name: "exactly the size limit", body: padTo(valid, schema.MaxMessageBytes)},
		{name: "one byte over the size limit", body: padTo(valid, schema.MaxMessageBytes+1), wantErr: schema.ErrMalformed},
		{name: "empty", body: nil, wantErr: schema.ErrMalformed},
		{name: "whitespace only", body: []byte(" \n"), wantErr: schema.ErrMalformed},
		{name: "version 0", body: []byte(`{"version":0}`), wantErr: schema.ErrUnsupportedVersion},
		{name: "version -1", body: []byte(`{"version":-1}`), wantErr: schema.ErrUnsupportedVersion},
		{name: "version 1e0", body: []byte(`{"version":1e0}`), wantErr: schema.ErrUnsupportedVersion},
		{name: "upper-case VERSION", body: []byte(strings.Replace(string(valid), `"version"`, `"VERSION"`, 1)), wantErr: schema.ErrMalformed},
		{name: "unknown field named by a phone number", body: []byte(strings.Replace(string(valid), `"locale"`, `"+15550100123": 1, "locale"`, 1)), wantErr: schema.ErrMalformed},
	}
	for _, tc := range tests {
		_, err := schema.DecodeMessage(tc.body)
		if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
			t.Errorf("%s: DecodeMessage error = %v, want %v", tc.name, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "5550100123") {
			t.Errorf("%s: error shows the number: %v", tc.name, err)
		}
	}
}

// padTo appends whitespace after the object so body is n bytes long.
func padTo(body []byte, n int) []byte {
	out := make([]byte, 0, n)
	out = append(out, body...)
	for len(out) < n {
		out = append(out, ' ')
	}
	return out
}
