package phone

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The numbers below are checked against phonenumbers v1.8.1's metadata:
// +1 415 555 0123 and +1 201 555 0123 are valid US numbers of type
// FIXED_LINE_OR_MOBILE; +91 98765 43210 is an Indian MOBILE; +44 7400 123456
// a GB MOBILE (note: +44 7911 1xxxxx is Guernsey, GG); +44 20 7946 0958 a GB
// FIXED_LINE; +44 56 1234 5678 a GB VOIP; +1 800 555 0199 US TOLL_FREE;
// +1 900 555 0123 and +44 909 876 5432 PREMIUM_RATE; +44 300 123 4567 UAN;
// +44 70 1234 5678 PERSONAL_NUMBER; +44 7640 123456 PAGER; +881 6 1234 5678
// a satellite MOBILE of no country.
func TestPolicyParse(t *testing.T) {
	usIN := Policy{AllowedCountries: []string{"US", "IN"}}
	voip := Policy{AllowVoIP: true}
	tests := []struct {
		name    string
		policy  Policy
		raw     string
		want    Number
		wantErr error
	}{
		{name: "US compact", raw: "+14155550123", want: Number{E164: "+14155550123", Region: "US", Type: "FIXED_LINE_OR_MOBILE"}},
		{name: "US spaces", raw: "+1 415 555 0123", want: Number{E164: "+14155550123", Region: "US", Type: "FIXED_LINE_OR_MOBILE"}},
		{name: "US parentheses and dashes", raw: "+1 (415) 555-0123", want: Number{E164: "+14155550123", Region: "US", Type: "FIXED_LINE_OR_MOBILE"}},
		{name: "US dots", raw: "+1.201.555.0123", want: Number{E164: "+12015550123", Region: "US", Type: "FIXED_LINE_OR_MOBILE"}},
		{name: "surrounding spaces", raw: "  +1 415 555 0123\t\n", want: Number{E164: "+14155550123", Region: "US", Type: "FIXED_LINE_OR_MOBILE"}},
		{name: "India mobile", raw: "+91 98765 43210", want: Number{E164: "+919876543210", Region: "IN", Type: "MOBILE"}},
		{name: "India mobile allowed by list", policy: usIN, raw: "+91-98765-43210", want: Number{E164: "+919876543210", Region: "IN", Type: "MOBILE"}},
		{name: "UK mobile", raw: "+44 7400 123456", want: Number{E164: "+447400123456", Region: "GB", Type: "MOBILE"}},
		{name: "UK mobile with (0)", raw: "+44 (0)7400 123456", want: Number{E164: "+447400123456", Region: "GB", Type: "MOBILE"}},
		{name: "Guernsey mobile under +44", raw: "+44 7911 123456", want: Number{E164: "+447911123456", Region: "GG", Type: "MOBILE"}},
		{name: "UK VoIP allowed", policy: voip, raw: "+44 56 1234 5678", want: Number{E164: "+445612345678", Region: "GB", Type: "VOIP"}},

		{name: "UK VoIP refused by default", raw: "+44 56 1234 5678", wantErr: ErrTypeNotAllowed},
		{name: "UK fixed line", raw: "+44 20 7946 0958", wantErr: ErrTypeNotAllowed},
		{name: "UK fixed line with VoIP allowed", policy: voip, raw: "+44 20 7946 0958", wantErr: ErrTypeNotAllowed},
		{name: "US toll free", raw: "+1 800 555 0199", wantErr: ErrTypeNotAllowed},
		{name: "US premium rate", raw: "+1 900 555 0123", wantErr: ErrTypeNotAllowed},
		{name: "UK premium rate", raw: "+44 909 876 5432", wantErr: ErrTypeNotAllowed},
		{name: "UK UAN", raw: "+44 300 123 4567", wantErr: ErrTypeNotAllowed},
		{name: "UK personal number", raw: "+44 70 1234 5678", wantErr: ErrTypeNotAllowed},
		{name: "UK pager", raw: "+44 7640 123456", wantErr: ErrTypeNotAllowed},
		{name: "UK mobile not in list", policy: usIN, raw: "+44 7400 123456", wantErr: ErrCountryNotAllowed},
		{name: "Jamaica under +1 not in list", policy: usIN, raw: "+1 876 210 1234", wantErr: ErrCountryNotAllowed},
		{name: "satellite, no country", raw: "+881 6 1234 5678", wantErr: ErrCountryNotAllowed},
		{name: "country checked before type", policy: usIN, raw: "+44 909 876 5432", wantErr: ErrCountryNotAllowed},

		{name: "empty", raw: "", wantErr: ErrInvalid},
		{name: "spaces only", raw: "   ", wantErr: ErrInvalid},
		{name: "plus only", raw: "+", wantErr: ErrInvalid},
		{name: "garbage", raw: "hello, world", wantErr: ErrInvalid},
		{name: "national form", raw: "(415) 555-0123", wantErr: ErrInvalid},
		{name: "00 prefix", raw: "0044 7400 123456", wantErr: ErrInvalid},
		{name: "letters", raw: "+1 800 FLOWERS", wantErr: ErrInvalid},
		{name: "extension", raw: "+1 415 555 0123 ext 12", wantErr: ErrInvalid},
		{name: "tel URI", raw: "tel:+1-415-555-0123", wantErr: ErrInvalid},
		{name: "second plus", raw: "+1 +415 555 0123", wantErr: ErrInvalid},
		{name: "fullwidth digit", raw: "+１ 415 555 0123", wantErr: ErrInvalid},
		{name: "unknown calling code", raw: "+999 1234 5678", wantErr: ErrInvalid},
		{name: "too short", raw: "+1 555 0123", wantErr: ErrInvalid},
		{name: "too many digits", raw: "+1 415 555 0123 4567", wantErr: ErrInvalid},
		{name: "invalid UK range", raw: "+44 7700 900123", wantErr: ErrInvalid},
		{name: "33 bytes", raw: "+1 415 555 0123" + strings.Repeat(" ", 18), wantErr: ErrInvalid},
		{name: "megabyte", raw: "+" + strings.Repeat("1", 1<<20), wantErr: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.policy, tt.raw)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse(%.40q) error = %v, want %v", tt.raw, err, tt.wantErr)
				}
				if got != (Number{}) {
					t.Errorf("Parse(%.40q) = %+v with error, want zero Number", tt.raw, got)
				}
				checkNoLeak(t, err.Error(), tt.raw)
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.raw, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

// checkNoLeak fails if msg is long or shows more than 4 consecutive digits
// of the number in raw.
func checkNoLeak(t *testing.T, msg, raw string) {
	t.Helper()
	if len(msg) > 200 {
		t.Errorf("error is %d bytes long: %.80q...", len(msg), msg)
	}
	digits := onlyDigits(raw)
	for _, run := range digitRuns.FindAllString(msg, -1) {
		for i := 0; i+5 <= len(run); i++ {
			if strings.Contains(digits, run[i:i+5]) {
				t.Errorf("error %q shows digits %q of the input", msg, run[i:i+5])
				break
			}
		}
	}
}

var digitRuns = regexp.MustCompile(`[0-9]{5,}`)

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestParseErrorNamesMaskedNumber(t *testing.T) {
	_, err := Parse(Policy{}, "+1 900 555 0123")
	want := "parse phone +*******0123: type PREMIUM_RATE: phone number type not allowed"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	_, err = Parse(Policy{AllowedCountries: []string{"US"}}, "+44 7400 123456")
	want = "parse phone +********3456: country GB: phone number country not allowed"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestPolicyParseLowerCaseAllowList(t *testing.T) {
	got, err := Parse(Policy{AllowedCountries: []string{"gb"}}, "+447400123456")
	if err != nil || got.Region != "GB" {
		t.Errorf("Parse = %+v, %v; want region GB", got, err)
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"+14155550123", "+*******0123"},
		{"+1 (415) 555-0123", "+*******0123"},
		{"14155550123", "*******0123"},
		{"+919876543210", "+********3210"},
		{"+6834002", "+***4002"},              // 7 digits: shortest shown
		{"+123456", "****"},                   // 6 digits: too short
		{"+1234567890123456", "****"},         // 16 digits: longer than E.164
		{"0123", "****"},                      // short
		{"1234", "****"},                      // never echo a whole short thing
		{"", ""},                              // nothing to hide
		{"hello world", "****"},               // garbage
		{"+1 415 555 0123 ext 9", "****"},     // not only digits
		{"+1+4155550123", "****"},             // second plus
		{"+1 415 555 0123\n", "+*******0123"}, // surrounding space
		{"secret-token-abcd", "****"},         // never the last 4 of garbage
		{"+" + strings.Repeat("9", 1<<20), "****"},
		{strings.Repeat("x", 1<<20), "****"},
	}
	for _, tt := range tests {
		got := Mask(tt.in)
		if got != tt.want {
			t.Errorf("Mask(%.30q) = %q, want %q", tt.in, got, tt.want)
		}
		if len(got) > 20 {
			t.Errorf("Mask(%.30q) is %d bytes, want at most 20", tt.in, len(got))
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"+14155550123", "", "abc", "+1 (415) 555-0123", "12345678901234567890"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Mask(s)
		if len(got) > 16 {
			t.Fatalf("Mask(%q) = %q, longer than 16 bytes", s, got)
		}
		if got == "" && s != "" {
			t.Fatalf("Mask(%q) is empty", s)
		}
		shown := onlyDigits(got)
		if len(shown) > 4 {
			t.Fatalf("Mask(%q) = %q shows more than 4 digits", s, got)
		}
	})
}

func FuzzPolicyParse(f *testing.F) {
	for _, s := range []string{"+14155550123", "+44 7400 123456", "+1 900 555 0123", "", "+", "+881612345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(Policy{}, s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrCountryNotAllowed) && !errors.Is(err, ErrTypeNotAllowed) {
				t.Fatalf("Parse(%q) error %v wraps no sentinel", s, err)
			}
			checkNoLeak(t, err.Error(), s)
			return
		}
		if !strings.HasPrefix(n.E164, "+") || len(n.E164) > 16 || n.Region == "" {
			t.Fatalf("Parse(%q) = %+v", s, n)
		}
	})
}
