package smstext_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
)

// An operator's text replaces the built-in one for its kind and locale
// (and the locales falling back to it); the autofill lines follow it as
// they follow the built-in text; other kinds and locales keep theirs.
func TestCognitoOverrides(t *testing.T) {
	r, err := smstext.New(nil, "example.com", "", smstext.CognitoOverrides(map[string]map[string]string{
		"signUp":          {"en": "{{.Code}} is your Example sign-up code.", "pt": "Codigo de cadastro {{.Code}}."},
		"adminCreateUser": {"en": "Welcome {{.Username}}, password {{.Code}}"},
		"accountTakeOver": {"es": "Alguien intento entrar en tu cuenta."},
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind, locale string
		d            smstext.CognitoData
		want         string
	}{
		{"signUp", "en-GB", smstext.CognitoData{Code: "482913"}, "482913 is your Example sign-up code.\n@example.com #482913"},
		{"signUp", "pt-BR", smstext.CognitoData{Code: "482913"}, "Codigo de cadastro 482913.\n@example.com #482913"},
		// Spanish has a built-in sign-up text: no operator's text applies.
		{"signUp", "es", smstext.CognitoData{Code: "482913"}, "Tu clave de registro es 482913. No la compartas.\n@example.com #482913"},
		// Another kind keeps its built-in text.
		{"resendCode", "en", smstext.CognitoData{Code: "482913"}, "Your sign-up code is 482913. Don't share it.\n@example.com #482913"},
		{"adminCreateUser", "en", smstext.CognitoData{Code: "Tmp#Pa55", Username: "alice"}, "Welcome alice, password Tmp#Pa55"},
		{"accountTakeOver", "es-MX", smstext.CognitoData{}, "Alguien intento entrar en tu cuenta."},
		{"accountTakeOver", "en", smstext.CognitoData{}, "We blocked a suspicious sign-in to your account. If it wasn't you, change your password now."},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.locale, func(t *testing.T) {
			got, err := r.RenderCognito(tt.kind, tt.locale, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Overrides are checked at start: every bad one is named, none is kept.
func TestCognitoOverridesRefused(t *testing.T) {
	tests := []struct {
		name, kind, locale, text, want string
	}{
		{"unknown kind", "signIn", "en", "{{.Code}}", "no Cognito SMS kind"},
		{"bad locale", "signUp", "english!", "{{.Code}}", "language tag"},
		{"no code", "signUp", "en", "Your code is ready.", "{{.Code}} exactly once, found 0"},
		{"code twice", "forgotPassword", "en", "{{.Code}} {{.Code}}", "exactly once, found 2"},
		{"code printed twice", "signUp", "en", "{{.Code}}{{printf \"%v\" .}}", "printed it 2 times"},
		{"no username", "adminCreateUser", "en", "Password {{.Code}}", "{{.Username}} exactly once, found 0"},
		{"code in a notice", "accountTakeOver", "en", "Code {{.Code}}", "{{.Code}} never, found 1"},
		{"a field the kind lacks", "signUp", "en", "{{.Code}} lives {{.Minutes}} minutes", "Minutes"},
		{"unparsable", "signUp", "en", "{{.Code", "invalid SMS template"},
		{"template call", "signUp", "en", `{{define "x"}}{{.Code}}{{end}}{{template "x" .}}`, "single template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := smstext.New(nil, "", "", smstext.CognitoOverrides(map[string]map[string]string{tt.kind: {tt.locale: tt.text}}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if !errors.Is(err, smstext.ErrTemplate) && !errors.Is(err, smstext.ErrLocale) {
				t.Errorf("err %v is neither ErrTemplate nor ErrLocale", err)
			}
		})
	}
}
