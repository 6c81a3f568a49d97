package smstext

import (
	"strings"
	"testing"
)

// builtinLocales are the locales every built-in text has; whatever locale
// a message names, its text is one of these (a locale selects, never writes).
var builtinLocales = []string{"en", "es", "hi"}

// FuzzRender: a rendered SMS is one of the built-in texts with the code,
// ends with the origin-bound line, and an error never holds the code.
func FuzzRender(f *testing.F) {
	f.Add("en", "123456", 5, "", "")
	f.Add("pt-BR", "A1B2C3", 1, testDomain, testHash)
	f.Add("hi-IN", "0000", 15, maxDomain, "")
	f.Add("es\n@evil.example #999999", "12345678", 3, "example.com\n", "short")
	f.Add("", "12 456", 0, "-bad-.com", testHash)
	r, err := New(nil, "", "")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, locale, code string, minutes int, domain, hash string) {
		d := Data{Code: code, Minutes: minutes, Domain: domain, AppHash: hash}
		out, err := r.Render(locale, d)
		if err != nil {
			if len(code) >= 6 && !strings.Contains(locale+domain+hash, code) && strings.Contains(err.Error(), code) {
				t.Fatalf("error holds the code %q: %v", code, err)
			}
			return
		}
		if !strings.Contains(out, code) {
			t.Fatalf("%q does not hold the code %q", out, code)
		}
		if domain != "" && !strings.HasSuffix(out, "\n@"+domain+" #"+code) {
			t.Fatalf("%q does not end with the origin-bound line for %q", out, domain)
		}
		for _, l := range builtinLocales {
			if same, err := r.Render(l, d); err == nil && same == out {
				return
			}
		}
		t.Fatalf("locale %q rendered a text no built-in locale renders: %q", locale, out)
	})
}

// FuzzRenderCognito: the same for Cognito's own messages; a notice without
// a code carries none, and a username is printed only where it belongs.
func FuzzRenderCognito(f *testing.F) {
	for _, kind := range []string{"signUp", "resendCode", "forgotPassword", "updateUserAttribute",
		"verifyUserAttribute", "authentication", "adminCreateUser", "accountTakeOver", "nope"} {
		f.Add(kind, "es-MX", "123456", "")
	}
	f.Add("adminCreateUser", "en", "Tmp#Pass w0rd!", "alice")
	f.Add("adminCreateUser", "hi", "Tmp\nPass", "al\nice")
	r, err := New(nil, testDomain, testHash)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, kind, locale, code, username string) {
		d := CognitoData{Code: code, Username: username}
		out, err := r.RenderCognito(kind, locale, d)
		if err != nil {
			for _, s := range []string{code, username} {
				if len(s) >= 6 && !strings.Contains(kind+locale, s) && strings.Contains(err.Error(), s) {
					t.Fatalf("error holds %q: %v", s, err)
				}
			}
			return
		}
		if code != "" && !strings.Contains(out, code) {
			t.Fatalf("%q does not hold the code", out)
		}
		if kind == "accountTakeOver" && (code != "" || username != "") {
			t.Fatalf("an account-takeover notice rendered with a secret: %q", out)
		}
		for _, l := range builtinLocales {
			if same, err := r.RenderCognito(kind, l, d); err == nil && same == out {
				return
			}
		}
		t.Fatalf("locale %q rendered a text no built-in locale renders: %q", locale, out)
	})
}
