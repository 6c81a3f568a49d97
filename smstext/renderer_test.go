package smstext

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

const (
	testHash   = "FA+9qCX9VSu" // the example in Google's SMS Retriever docs
	testDomain = "example.com"
)

// maxDomain is a valid domain of exactly MaxDomainLen characters.
var maxDomain = strings.Repeat("a", MaxDomainLen-len(".example.com")) + ".example.com"

func mustNew(t *testing.T, overrides map[string]string, domain, hash string) *Renderer {
	t.Helper()
	r, err := New(overrides, domain, hash)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func TestRenderBuiltins(t *testing.T) {
	tests := []struct {
		name, locale, domain, hash string
		d                          Data
		want                       string
	}{
		{name: "en plain", locale: "en", d: Data{Code: "123456", Minutes: 5},
			want: "Your sign-in code is 123456. It expires in 5 minutes. Don't share it."},
		{name: "en one minute", locale: "en", d: Data{Code: "123456", Minutes: 1},
			want: "Your sign-in code is 123456. It expires in 1 minute. Don't share it."},
		{name: "en hash", locale: "en", hash: testHash, d: Data{Code: "123456", Minutes: 3},
			want: "Your sign-in code is 123456. It expires in 3 minutes. Don't share it.\nFA+9qCX9VSu"},
		{name: "en domain", locale: "en", domain: testDomain, d: Data{Code: "123456", Minutes: 3},
			want: "Your sign-in code is 123456. It expires in 3 minutes. Don't share it.\n@example.com #123456"},
		{name: "en domain and hash", locale: "en", domain: testDomain, hash: testHash, d: Data{Code: "123456", Minutes: 3},
			want: "Your sign-in code is 123456. It expires in 3 minutes. Don't share it.\nFA+9qCX9VSu\n@example.com #123456"},
		{name: "es plain", locale: "es", d: Data{Code: "123456", Minutes: 5},
			want: "Tu clave de acceso es 123456. Vence en 5 minutos. No la compartas."},
		{name: "es one minute", locale: "es", d: Data{Code: "123456", Minutes: 1},
			want: "Tu clave de acceso es 123456. Vence en 1 minuto. No la compartas."},
		{name: "es hash", locale: "es", hash: testHash, d: Data{Code: "123456", Minutes: 3},
			want: "Tu clave de acceso es 123456. Vence en 3 minutos. No la compartas.\nFA+9qCX9VSu"},
		{name: "es domain", locale: "es", domain: testDomain, d: Data{Code: "123456", Minutes: 3},
			want: "Tu clave de acceso es 123456. Vence en 3 minutos. No la compartas.\n@example.com #123456"},
		{name: "es domain and hash", locale: "es", domain: testDomain, hash: testHash, d: Data{Code: "123456", Minutes: 3},
			want: "Tu clave de acceso es 123456. Vence en 3 minutos. No la compartas.\nFA+9qCX9VSu\n@example.com #123456"},
		{name: "hi plain", locale: "hi", d: Data{Code: "123456", Minutes: 5},
			want: "आपका OTP 123456 है। 5 मिनट तक मान्य। किसी को न बताएं।"},
		{name: "hi hash", locale: "hi", hash: testHash, d: Data{Code: "123456", Minutes: 3},
			want: "आपका OTP 123456 है। 3 मिनट तक मान्य। किसी को न बताएं।\nFA+9qCX9VSu"},
		{name: "hi domain", locale: "hi", domain: testDomain, d: Data{Code: "123456", Minutes: 3},
			want: "आपका OTP 123456 है। 3 मिनट तक मान्य। किसी को न बताएं।\n@example.com #123456"},
		{name: "hi domain and hash", locale: "hi", domain: testDomain, hash: testHash, d: Data{Code: "123456", Minutes: 3},
			want: "आपका OTP 123456 है। 3 मिनट तक मान्य। किसी को न बताएं।\nFA+9qCX9VSu\n@example.com #123456"},
		{name: "data overrides renderer domain and hash", locale: "en", domain: testDomain, hash: testHash,
			d:    Data{Code: "123456", Minutes: 3, Domain: "login.example.org", AppHash: "abcDEF12+/z"},
			want: "Your sign-in code is 123456. It expires in 3 minutes. Don't share it.\nabcDEF12+/z\n@login.example.org #123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustNew(t, nil, tt.domain, tt.hash)
			got, err := r.Render(tt.locale, tt.d)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Render (-want +got):\n%s", diff)
			}
		})
	}
}

// parseOriginBound is the WICG "parse an origin-bound one-time code
// message" algorithm (https://wicg.github.io/sms-one-time-codes/#parsing).
func parseOriginBound(msg string) (host, code string, ok bool) {
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(msg, "\n")
	line := lines[len(lines)-1]
	token := func(marker byte) (string, bool) {
		if line == "" || line[0] != marker {
			return "", false
		}
		line = line[1:]
		end := strings.IndexAny(line, " \t\n\f\r")
		if end < 0 {
			end = len(line)
		}
		tok := line[:end]
		line = line[end:]
		return tok, tok != ""
	}
	if host, ok = token('@'); !ok || !strings.HasPrefix(line, " ") {
		return "", "", false
	}
	line = line[1:]
	code, ok = token('#')
	return host, code, ok
}

func TestOriginBoundLineParses(t *testing.T) {
	r := mustNew(t, nil, maxDomain, testHash)
	for _, locale := range []string{"en", "es", "hi"} {
		got, err := r.Render(locale, Data{Code: "908172", Minutes: 3})
		if err != nil {
			t.Fatalf("Render %s: %v", locale, err)
		}
		host, code, ok := parseOriginBound(got)
		if !ok || host != maxDomain || code != "908172" {
			t.Errorf("%s: parsed (%q, %q, %v), want (%q, 908172, true)", locale, host, code, ok, maxDomain)
		}
		lines := strings.Split(got, "\n")
		if want := "@" + maxDomain + " #908172"; lines[len(lines)-1] != want {
			t.Errorf("%s: last line %q, want %q", locale, lines[len(lines)-1], want)
		}
		if !strings.Contains(got, testHash) {
			t.Errorf("%s: app hash missing from %q", locale, got)
		}
	}
}

// The default texts' size at the limits: a 10-character code, a 2-digit
// lifetime, a MaxDomainLen domain and an app hash. English and Spanish stay
// one GSM-7 segment (also within the SMS Retriever's 140 bytes); Hindi is
// UCS-2 and one segment unless a domain is set.
func TestSegmentsAtLimits(t *testing.T) {
	full := mustNew(t, nil, maxDomain, testHash)
	hashOnly := mustNew(t, nil, "", testHash)
	plain := mustNew(t, nil, "", "")
	d := Data{Code: "1234567890", Minutes: MaxMinutes}
	tests := []struct {
		name   string
		r      *Renderer
		locale string
		enc    string
		count  int
		units  int // septets for GSM-7, UTF-16 code units for UCS-2
	}{
		{"en full", full, "en", GSM7, 1, 150},
		{"es full", full, "es", GSM7, 1, 147},
		{"hi plain", plain, "hi", UCS2, 1, 58},
		{"hi hash", hashOnly, "hi", UCS2, 1, 70},
		{"hi full", full, "hi", UCS2, 2, 134},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.r.Render(tt.locale, d)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			enc, n := Segments(got)
			if enc != tt.enc || n != tt.count {
				t.Errorf("Segments = %s, %d; want %s, %d\n%s", enc, n, tt.enc, tt.count, got)
			}
			if u := units(got); u != tt.units {
				t.Errorf("length %d units, want %d", u, tt.units)
			}
		})
	}
	// A 6-digit code in Hindi with the hash and a 50-character domain is
	// still 2 segments.
	got, err := full.Render("hi", Data{Code: "123456", Minutes: 3})
	if err != nil {
		t.Fatal(err)
	}
	if enc, n := Segments(got); enc != UCS2 || n != 2 {
		t.Errorf("hi 6-digit full: %s, %d; want UCS-2, 2", enc, n)
	}
}

// units is the message's length in septets (GSM-7) or UTF-16 code units.
func units(s string) int {
	if enc, _ := Segments(s); enc == UCS2 {
		return len(utf16.Encode([]rune(s)))
	}
	n := 0
	for _, r := range s {
		n += gsm7Cost()[r]
	}
	return n
}

func TestFallback(t *testing.T) {
	r := mustNew(t, map[string]string{
		"pt":      "pt {{.Code}}",
		"pt-BR":   "pt-BR {{.Code}}",
		"zh-Hant": "zh-Hant {{.Code}}",
		"en-IN":   "en-IN {{.Code}}",
	}, "", "")
	tests := []struct{ locale, wantPrefix string }{
		{"pt-BR", "pt-BR "},
		{"pt-br", "pt-BR "},
		{"pt_BR", "pt-BR "},
		{"pt-PT", "pt "},
		{"pt", "pt "},
		{"pt-x-private", "pt "},
		{"zh-Hant-TW", "zh-Hant "},
		{"zh-Hans-CN", "Your sign-in code"},
		{"es-MX", "Tu clave"},
		{"HI-IN", "आपका"},
		{"en-IN", "en-IN "},
		{"en-GB", "Your sign-in code"},
		{"de", "Your sign-in code"},
		{"", "Your sign-in code"},
		{"not a tag!", "Your sign-in code"},
	}
	for _, tt := range tests {
		got, err := r.Render(tt.locale, Data{Code: "123456", Minutes: 3})
		if err != nil {
			t.Fatalf("Render(%q): %v", tt.locale, err)
		}
		if !strings.HasPrefix(got, tt.wantPrefix) {
			t.Errorf("Render(%q) = %q, want prefix %q", tt.locale, got, tt.wantPrefix)
		}
	}
}

func TestOverrides(t *testing.T) {
	t.Run("valid DLT-style override replaces the built-in", func(t *testing.T) {
		r := mustNew(t, map[string]string{
			"en": "{{.Code}} is your OTP for ExampleCo login. Valid for {{.Minutes}} min. Do not share. -ExampleCo\n",
			"hi": "ExampleCo लॉगिन के लिए आपका OTP {{.Code}} है।",
		}, testDomain, "")
		got, err := r.Render("en-IN", Data{Code: "123456", Minutes: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := "123456 is your OTP for ExampleCo login. Valid for 3 min. Do not share. -ExampleCo\n@example.com #123456"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("en (-want +got):\n%s", diff)
		}
		got, err = r.Render("hi", Data{Code: "123456", Minutes: 3})
		if err != nil {
			t.Fatal(err)
		}
		want = "ExampleCo लॉगिन के लिए आपका OTP 123456 है।\n@example.com #123456"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("hi (-want +got):\n%s", diff)
		}
		// Locales without an override keep their built-in text.
		got, err = r.Render("es", Data{Code: "123456", Minutes: 3})
		if err != nil || !strings.HasPrefix(got, "Tu clave de acceso es 123456.") {
			t.Errorf("es = %q, %v; want the built-in text", got, err)
		}
	})
	t.Run("a code printed once through with is accepted", func(t *testing.T) {
		mustNew(t, map[string]string{"fr": "Code : {{with .Code}}{{.}}{{end}}"}, "", "")
		mustNew(t, map[string]string{"fr": "Code : {{$.Code}}"}, "", "")
	})
	bad := []struct{ name, locale, text string }{
		{"does not parse", "en", "Your code is {{.Code"},
		{"unknown field", "en", "Your code is {{.Code}} {{.Nope}}"},
		{"no code", "en", "Your code expires in {{.Minutes}} minutes."},
		{"empty", "en", ""},
		{"code twice", "en", "{{.Code}} is your code. Code: {{.Code}}"},
		{"code in both branches", "en", "{{if eq .Minutes 1}}{{.Code}}{{else}}{{.Code}}{{end}}"},
		{"code only in one branch", "en", "{{if eq .Minutes 1}}{{.Code}}{{end}} is your code"},
		{"whole data printed", "en", "{{.Code}} {{printf \"%v\" .}}"},
		{"code printed twice through with", "en", "{{with .Code}}{{.}} {{.}}{{end}}"},
		{"define", "en", "{{define \"x\"}}{{.Code}}{{end}}{{template \"x\" .}}"},
		{"template call", "en", "{{.Code}}{{template \"other\"}}"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(map[string]string{tt.locale: tt.text}, "", "")
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("New = %v, want ErrTemplate", err)
			}
			if !strings.Contains(err.Error(), "locale "+tt.locale) {
				t.Errorf("error %q does not name the locale", err)
			}
		})
	}
	t.Run("bad locale key", func(t *testing.T) {
		_, err := New(map[string]string{"english!": "{{.Code}}"}, "", "")
		if !errors.Is(err, ErrLocale) {
			t.Fatalf("New = %v, want ErrLocale", err)
		}
	})
	t.Run("every problem is reported", func(t *testing.T) {
		_, err := New(map[string]string{"en": "no code", "es": "{{.Code}}{{.Code}}"}, "https://example.com", "short")
		for _, want := range []error{ErrTemplate, ErrDomain, ErrAppHash} {
			if !errors.Is(err, want) {
				t.Errorf("New = %v, want it to wrap %v", err, want)
			}
		}
		if !strings.Contains(err.Error(), "locale en") || !strings.Contains(err.Error(), "locale es") {
			t.Errorf("error %q does not name both locales", err)
		}
	})
}

func TestDomain(t *testing.T) {
	good := []string{"", "example.com", "login.example.co.uk", "localhost", "xn--bcher-kva.example", "a-b.example", "1password.com", maxDomain}
	for _, d := range good {
		if _, err := New(nil, d, ""); err != nil {
			t.Errorf("New(domain %q) = %v, want ok", d, err)
		}
	}
	bad := []string{
		"https://example.com", "example.com/login", "example.com:8443", "example.com.",
		"Example.com", "bücher.example", "-example.com", "example-.com", "exa mple.com",
		"example..com", ".example.com", "user@example.com", "example.com?x", "127.0.0.1",
		"exa_mple.com", "#example.com",
		"a" + maxDomain, // one over MaxDomainLen
	}
	for _, d := range bad {
		if _, err := New(nil, d, ""); !errors.Is(err, ErrDomain) {
			t.Errorf("New(domain %q) = %v, want ErrDomain", d, err)
		}
	}
}

func TestAppHash(t *testing.T) {
	for _, h := range []string{"", testHash, "abcdefghijk", "ABC/123+xyz"} {
		if _, err := New(nil, "", h); err != nil {
			t.Errorf("New(hash %q) = %v, want ok", h, err)
		}
	}
	for _, h := range []string{"FA+9qCX9VS", "FA+9qCX9VSuu", "FA-9qCX9VSu", "FA_9qCX9VSu", "FA+9qCX9VS=", "FA 9qCX9VSu", "FA+9qCX9VSü"} {
		if _, err := New(nil, "", h); !errors.Is(err, ErrAppHash) {
			t.Errorf("New(hash %q) = %v, want ErrAppHash", h, err)
		}
	}
}

func TestRenderRejectsBadData(t *testing.T) {
	r := mustNew(t, map[string]string{
		// Fails only for lifetimes New does not probe.
		"xx": "{{.Code}}{{if eq .Minutes 7}}{{index .AppHash 20}}{{end}}",
	}, "", testHash)
	tests := []struct {
		name   string
		locale string
		d      Data
		want   error
	}{
		{"empty code", "en", Data{Minutes: 3}, ErrData},
		{"short code", "en", Data{Code: "987", Minutes: 3}, ErrData},
		{"long code", "en", Data{Code: "98765432101", Minutes: 3}, ErrData},
		{"code with space", "en", Data{Code: "987 654", Minutes: 3}, ErrData},
		{"code with hash sign", "en", Data{Code: "98765#", Minutes: 3}, ErrData},
		{"code without digit", "en", Data{Code: "ABCDEF", Minutes: 3}, ErrData},
		{"zero minutes", "en", Data{Code: "987654", Minutes: 0}, ErrData},
		{"too many minutes", "en", Data{Code: "987654", Minutes: MaxMinutes + 1}, ErrData},
		{"bad data domain", "en", Data{Code: "987654", Minutes: 3, Domain: "https://evil.example"}, ErrDomain},
		{"bad data hash", "en", Data{Code: "987654", Minutes: 3, AppHash: "nope"}, ErrAppHash},
		{"template fails", "xx", Data{Code: "987654", Minutes: 7}, ErrTemplate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.locale, tt.d)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Render = %q, %v; want %v", got, err, tt.want)
			}
			if tt.d.Code != "" && strings.Contains(err.Error(), tt.d.Code) {
				t.Errorf("error %q contains the code", err)
			}
			if strings.Contains(err.Error(), "987") {
				t.Errorf("error %q contains part of the code", err)
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := mustNew(t, nil, testDomain, testHash)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 50 {
				code := strings.Repeat(string(rune('0'+(i+j)%10)), 6)
				got, err := r.Render([]string{"en", "es", "hi", "pt-BR"}[j%4], Data{Code: code, Minutes: 1 + j%15})
				if err != nil {
					t.Error(err)
					return
				}
				if !strings.HasSuffix(got, "@example.com #"+code) {
					t.Errorf("got %q, want it to end with code %s", got, code)
				}
			}
		})
	}
	wg.Wait()
}
