package smstext

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
)

// Option adds to what New builds.
type Option func(*Renderer) []error

// CognitoOverrides replaces or extends the built-in texts of the Cognito SMS
// kinds: kind (schema.Kind*) -> locale -> template text, e.g. the exact
// text registered under India's DLT rules. Each must parse, be a single
// template, print the kind's data exactly as the built-in text does ({{.Code}}
// once; for adminCreateUser also {{.Username}} once; for accountTakeOver
// neither) and execute. The code kinds' autofill lines follow the text as
// they follow the built-in one.
func CognitoOverrides(overrides map[string]map[string]string) Option {
	return func(r *Renderer) []error {
		var errs []error
		for _, kind := range slices.Sorted(maps.Keys(overrides)) {
			if _, ok := cognitoTexts[kind]; !ok {
				errs = append(errs, fmt.Errorf("%w: no Cognito SMS kind %.30q (want one of %s)", ErrTemplate, kind, strings.Join(slices.Sorted(maps.Keys(cognitoTexts)), ", ")))
				continue
			}
			for _, locale := range slices.Sorted(maps.Keys(overrides[kind])) {
				if !validLocale(locale) {
					errs = append(errs, fmt.Errorf("%w %.40q for Cognito kind %s: want a language tag such as en, hi or pt-BR", ErrLocale, locale, kind))
					continue
				}
				t, err := compileCognito(kind, locale, overrides[kind][locale])
				if err != nil {
					errs = append(errs, fmt.Errorf("override for Cognito kind %s, locale %s: %w", kind, locale, err))
					continue
				}
				if r.cognito == nil {
					r.cognito = map[string]map[string]*template.Template{}
				}
				if r.cognito[kind] == nil {
					r.cognito[kind] = map[string]*template.Template{}
				}
				r.cognito[kind][normLocale(locale)] = t
			}
		}
		return errs
	}
}

// probeUsername stands in for adminCreateUser's username when an override
// is test-rendered.
const probeUsername = "probe-user-5K8D"

// cognitoFields is how often a kind's text must print each field.
func cognitoFields(kind string) (code, username int) {
	switch kind {
	case "accountTakeOver":
		return 0, 0
	case "adminCreateUser":
		return 1, 1
	}
	return 1, 0
}

// compileCognito checks an operator's text for kind as compile checks a
// sign-in template: single, no template calls, each field referenced and
// printed as often as the kind needs, and it executes on CognitoData.
func compileCognito(kind, locale, text string) (*template.Template, error) {
	t, err := template.New(kind + "." + locale).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	if len(t.Templates()) != 1 || t.Tree == nil {
		return nil, fmt.Errorf("%w: must be a single template, without define or block", ErrTemplate)
	}
	wantCode, wantUser := cognitoFields(kind)
	for _, f := range []struct {
		name  string
		want  int
		probe string
	}{{"Code", wantCode, probeCode}, {"Username", wantUser, probeUsername}} {
		refs, nested := fieldRefs(t.Tree.Root, f.name)
		if nested {
			return nil, fmt.Errorf("%w: must not call other templates", ErrTemplate)
		}
		if refs != f.want {
			return nil, fmt.Errorf("%w: must reference {{.%s}} %s, found %d", ErrTemplate, f.name, times(f.want), refs)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, CognitoData{Code: probeCode, Username: probeUsername}); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
		}
		if n := strings.Count(b.String(), f.probe); n != f.want {
			return nil, fmt.Errorf("%w: must print {{.%s}} %s, printed it %d times", ErrTemplate, f.name, times(f.want), n)
		}
	}
	return t, nil
}

func times(n int) string {
	if n == 0 {
		return "never"
	}
	return "exactly once"
}

// cognitoTemplate is the operator's text for kind and locale, else the
// built-in one, falling back one subtag at a time (an override of pt beats
// the built-in English for pt-BR), then to English.
func (r *Renderer) cognitoTemplate(kind string, txt cognitoText, locale string) *template.Template {
	for l := normLocale(locale); l != ""; {
		if t, ok := r.cognito[kind][l]; ok {
			return t
		}
		if _, ok := txt.byLocale[l]; ok {
			return cognitoTemplates()[kind][l]
		}
		i := strings.LastIndexByte(l, '-')
		if i < 0 {
			break
		}
		l = l[:i]
	}
	if t, ok := r.cognito[kind][DefaultLocale]; ok {
		return t
	}
	return cognitoTemplates()[kind][DefaultLocale]
}
