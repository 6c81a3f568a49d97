package smstext_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
)

func TestRenderCognito(t *testing.T) {
	r, err := smstext.New(nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	withAutofill, err := smstext.New(nil, "example.com", "FA+9qCX9VSu")
	if err != nil {
		t.Fatal(err)
	}
	code := smstext.CognitoData{Code: "123456"}
	tests := []struct {
		name, kind, locale string
		r                  *smstext.Renderer
		d                  smstext.CognitoData
		want               string
	}{
		{"sign-up", schema.KindSignUp, "en", r, code, "Your sign-up code is 123456. Don't share it."},
		{"resend", schema.KindResendCode, "en-GB", r, code, "Your sign-up code is 123456. Don't share it."},
		{"reset", schema.KindForgotPassword, "en", r, code, "Your password reset code is 123456. If you didn't ask for it, ignore this message."},
		{"update attribute", schema.KindUpdateUserAttribute, "en", r, code, "Your verification code is 123456. Don't share it."},
		{"verify attribute es", schema.KindVerifyUserAttribute, "es-MX", r, code, "Tu clave para verificar es 123456. No la compartas."},
		{"authentication", schema.KindAuthentication, "fr", r, code, "Your sign-in code is 123456. Don't share it."},
		{"authentication autofill", schema.KindAuthentication, "en", withAutofill, code, "Your sign-in code is 123456. Don't share it.\nFA+9qCX9VSu\n@example.com #123456"},
		{"temporary password, no autofill", schema.KindAdminCreateUser, "en", withAutofill, smstext.CognitoData{Code: "Tmp#Pass w0rd", Username: "alice"},
			"Your account is ready. Username: alice Temporary password: Tmp#Pass w0rd You'll choose a new password when you sign in."},
		{"account takeover", schema.KindAccountTakeOver, "en", withAutofill, smstext.CognitoData{},
			"We blocked a suspicious sign-in to your account. If it wasn't you, change your password now."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.r.RenderCognito(tt.kind, tt.locale, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Every kind has a text in every built-in locale of the kinds, and each is
// one GSM-7 segment with a 10-character code or a long temporary password.
func TestRenderCognitoOneSegment(t *testing.T) {
	r, err := smstext.New(nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range schema.CognitoKinds {
		for _, locale := range []string{"en", "es"} {
			d := smstext.CognitoData{Code: "12345678ab"}
			switch kind {
			case schema.KindAdminCreateUser:
				d = smstext.CognitoData{Code: "Abcdef1!", Username: "alice"}
			case schema.KindAccountTakeOver:
				d = smstext.CognitoData{}
			}
			text, err := r.RenderCognito(kind, locale, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, locale, err)
			}
			if enc, n := smstext.Segments(text); enc != "GSM-7" || n != 1 {
				t.Errorf("%s/%s: %s, %d segments: %q", kind, locale, enc, n, text)
			}
		}
	}
}

func TestRenderCognitoRefuses(t *testing.T) {
	r, err := smstext.New(nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		kind string
		d    smstext.CognitoData
	}{
		"unknown kind":             {"welcome", smstext.CognitoData{Code: "123456"}},
		"code kind without code":   {schema.KindSignUp, smstext.CognitoData{}},
		"code with symbols":        {schema.KindSignUp, smstext.CognitoData{Code: "12 34<"}},
		"temp password, no user":   {schema.KindAdminCreateUser, smstext.CognitoData{Code: "Abc1!"}},
		"takeover with a code":     {schema.KindAccountTakeOver, smstext.CognitoData{Code: "123456"}},
		"multi-line temp password": {schema.KindAdminCreateUser, smstext.CognitoData{Code: "a\nb1", Username: "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.RenderCognito(c.kind, "en", c.d)
			if err == nil {
				t.Fatal("rendered")
			}
			if c.d.Code != "" && strings.Contains(err.Error(), c.d.Code) {
				t.Fatalf("error shows the code: %v", err)
			}
			if !errors.Is(err, smstext.ErrData) && !errors.Is(err, smstext.ErrTemplate) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
