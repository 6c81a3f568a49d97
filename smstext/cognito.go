package smstext

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"text/template"
)

// CognitoData is what a Cognito SMS text sees: the code Cognito made (or,
// for adminCreateUser, the temporary password) and, for adminCreateUser,
// the username to sign in with. Cognito's codes live as long as the pool
// says (a day for sign-up by default), so no text states a lifetime.
type CognitoData struct {
	Code     string
	Username string
}

// cognitoText is one kind's built-in text per locale, and whether the
// autofill lines (app hash, "@domain #code") follow: only for short codes
// typed into an app, never for a temporary password or a notice.
type cognitoText struct {
	autofill bool
	byLocale map[string]string
}

// cognitoTexts are keyed by the queue message's kind (schema.Kind*). Each
// fits one GSM-7 segment with a 10-character code (the Spanish avoids
// accents outside GSM-7, as the sign-in text does); see the tests.
var cognitoTexts = map[string]cognitoText{
	"signUp": {true, map[string]string{
		"en": "Your sign-up code is {{.Code}}. Don't share it.",
		"es": "Tu clave de registro es {{.Code}}. No la compartas.",
	}},
	"resendCode": {true, map[string]string{
		"en": "Your sign-up code is {{.Code}}. Don't share it.",
		"es": "Tu clave de registro es {{.Code}}. No la compartas.",
	}},
	"forgotPassword": {true, map[string]string{
		"en": "Your password reset code is {{.Code}}. If you didn't ask for it, ignore this message.",
		"es": "Tu clave para cambiar la contraseña es {{.Code}}. Si no la pediste, ignora este mensaje.",
	}},
	"updateUserAttribute": {true, map[string]string{
		"en": "Your verification code is {{.Code}}. Don't share it.",
		"es": "Tu clave para verificar es {{.Code}}. No la compartas.",
	}},
	"verifyUserAttribute": {true, map[string]string{
		"en": "Your verification code is {{.Code}}. Don't share it.",
		"es": "Tu clave para verificar es {{.Code}}. No la compartas.",
	}},
	"authentication": {true, map[string]string{
		"en": "Your sign-in code is {{.Code}}. Don't share it.",
		"es": "Tu clave de acceso es {{.Code}}. No la compartas.",
	}},
	"adminCreateUser": {false, map[string]string{
		"en": "Your account is ready. Username: {{.Username}} Temporary password: {{.Code}} You'll choose a new password when you sign in.",
		"es": "Ya tienes cuenta. Usuario: {{.Username}} Contraseña temporal: {{.Code}} Al entrar te pediremos una nueva.",
	}},
	"accountTakeOver": {false, map[string]string{
		"en": "We blocked a suspicious sign-in to your account. If it wasn't you, change your password now.",
		"es": "Bloqueamos un acceso sospechoso a tu cuenta. Si no lo reconoces, cambia tu contraseña ahora.",
	}},
}

// cognitoTemplates are cognitoTexts compiled once, on first use: only the
// Cognito SMS messages need them, and parsing 16 templates at package init
// cost every start of the worker.
var cognitoTemplates = sync.OnceValue(func() map[string]map[string]*template.Template {
	out := map[string]map[string]*template.Template{}
	for kind, txt := range cognitoTexts {
		out[kind] = map[string]*template.Template{}
		for locale, s := range txt.byLocale {
			out[kind][locale] = template.Must(template.New(kind + "." + locale).Option("missingkey=error").Parse(s))
		}
	}
	return out
})

// RenderCognito returns the SMS text of a Cognito SMS of kind for locale:
// the operator's text (CognitoOverrides) or the built-in one, falling back
// like Render (pt-BR, pt, then English). The code kinds get the
// Renderer's autofill lines as sign-in codes do. Errors never contain the
// code, the password or the username.
func (r *Renderer) RenderCognito(kind, locale string, d CognitoData) (string, error) {
	txt, ok := cognitoTexts[kind]
	if !ok {
		return "", fmt.Errorf("%w: no text for Cognito SMS kind %.30q", ErrTemplate, kind)
	}
	if err := d.validate(kind, txt.autofill); err != nil {
		return "", err
	}
	t := r.cognitoTemplate(kind, txt, locale)
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("%w: render Cognito SMS %s", ErrTemplate, kind)
	}
	if !txt.autofill {
		return b.String(), nil
	}
	return assemble(b.String(), Data{Code: d.Code, Domain: r.domain, AppHash: r.appHash}), nil
}

// ValidCognito checks d for a Cognito SMS of kind as RenderCognito will:
// the trigger calls it before it writes or enqueues anything, so a job the
// worker would refuse to render is never accepted.
func ValidCognito(kind string, d CognitoData) error {
	txt, ok := cognitoTexts[kind]
	if !ok {
		return fmt.Errorf("%w: no text for Cognito SMS kind %.30q", ErrTemplate, kind)
	}
	return d.validate(kind, txt.autofill)
}

// maxSecretLen is Cognito's bound on a temporary password (and far above
// a code); longer input is not Cognito's.
const maxSecretLen = 256

func (d CognitoData) validate(kind string, autofill bool) error {
	switch {
	case kind == "accountTakeOver":
		if d.Code != "" || d.Username != "" {
			return fmt.Errorf("%w: an account-takeover notice carries no code", ErrData)
		}
		return nil
	case autofill && !codeShaped(d.Code):
		return fmt.Errorf("%w: code must be ASCII letters or digits with at least one digit", ErrData)
	case d.Code == "" || len(d.Code) > maxSecretLen || strings.ContainsAny(d.Code, "\r\n"):
		return fmt.Errorf("%w: code or temporary password missing, too long or multi-line", ErrData)
	case kind == "adminCreateUser" && (d.Username == "" || len(d.Username) > 128):
		return fmt.Errorf("%w: username missing or too long", ErrData)
	}
	return nil
}
