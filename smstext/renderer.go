package smstext

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"text/template"
)

// DefaultLocale is the last step of every fallback.
const DefaultLocale = "en"

//go:embed templates/*.tmpl
var builtin embed.FS

// Data is what a template sees.
type Data struct {
	Code    string // the one-time code: 4 to 10 ASCII letters or digits, at least one digit
	Minutes int    // the code's lifetime in whole minutes, rounded up: 1 to MaxMinutes
	// Domain is the host of the origin-bound line ("@<domain> #<code>", the
	// last line of the message) for WebOTP and iOS/Android autofill; empty
	// uses the Renderer's.
	Domain string
	// AppHash is the Android SMS Retriever app hash, 11 characters, put on
	// its own line before the origin-bound line; empty uses the Renderer's.
	AppHash string
}

// Renderer renders the sign-in SMS. Make one with New; it is immutable and
// safe for concurrent use.
type Renderer struct {
	templates map[string]*template.Template            // by lowercase locale
	cognito   map[string]map[string]*template.Template // operators' Cognito texts: kind -> lowercase locale
	domain    string
	appHash   string
}

// Errors, for errors.Is. New joins one error per bad setting.
var (
	ErrTemplate = errors.New("invalid SMS template")
	ErrLocale   = errors.New("invalid template locale")
	ErrDomain   = errors.New("invalid SMS domain")
	ErrAppHash  = errors.New("invalid Android app hash")
	ErrData     = errors.New("invalid SMS data")
)

// New returns a Renderer with the built-in templates, replaced or extended
// by overrides (locale -> template text, e.g. the exact text registered
// under India's DLT rules), and the deployment's origin-bound domain and
// Android app hash, both optional.
//
// Every override must parse, be a single template (no define, block or
// template actions), print {{.Code}} exactly once and execute; domain must
// be a bare lowercase ASCII host name of at most MaxDomainLen characters (no
// scheme, port, path or trailing dot; IDNs as xn-- labels); appHash must be
// 11 characters of the standard base64 alphabet. A DLT registration must
// cover the whole message, including the app hash and origin-bound lines
// New's settings add.
func New(overrides map[string]string, domain, appHash string, opts ...Option) (*Renderer, error) {
	var errs []error
	if err := validDomain(domain); err != nil {
		errs = append(errs, err)
	}
	if err := validAppHash(appHash); err != nil {
		errs = append(errs, err)
	}
	r := &Renderer{templates: map[string]*template.Template{}, domain: domain, appHash: appHash}
	files, err := fs.Glob(builtin, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("list built-in templates: %w", err)
	}
	for _, f := range files {
		text, err := fs.ReadFile(builtin, f)
		if err != nil {
			return nil, fmt.Errorf("read built-in template %s: %w", f, err)
		}
		locale := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".tmpl")
		t, err := compile(locale, string(text))
		if err != nil {
			return nil, fmt.Errorf("built-in template %s: %w", locale, err)
		}
		r.templates[normLocale(locale)] = t
	}
	for _, locale := range slices.Sorted(maps.Keys(overrides)) {
		if !validLocale(locale) {
			errs = append(errs, fmt.Errorf("%w %.40q: want a language tag such as en, hi or pt-BR", ErrLocale, locale))
			continue
		}
		t, err := compile(locale, overrides[locale])
		if err != nil {
			errs = append(errs, fmt.Errorf("override for locale %s: %w", locale, err))
			continue
		}
		r.templates[normLocale(locale)] = t
	}
	for _, o := range opts {
		errs = append(errs, o(r)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// Render returns the SMS text for locale: the template of the exact locale
// (pt-BR), else of each shorter prefix of the tag (pt), else English. Then,
// if an app hash is set, a line with the hash; then, if a domain is set, the
// last line "@<domain> #<code>". Errors never contain the code.
func (r *Renderer) Render(locale string, d Data) (string, error) {
	if d.Domain == "" {
		d.Domain = r.domain
	}
	if d.AppHash == "" {
		d.AppHash = r.appHash
	}
	if err := d.validate(); err != nil {
		return "", err
	}
	name, t := r.lookup(locale)
	if t == nil {
		return "", fmt.Errorf("%w: no template for %s (use New)", ErrTemplate, name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		// Execution errors name fields, not values, but make sure.
		msg := strings.ReplaceAll(err.Error(), d.Code, "[code]")
		return "", fmt.Errorf("%w: render locale %s: %s", ErrTemplate, name, msg)
	}
	return assemble(b.String(), d), nil
}

// lookup finds the template for locale, falling back one subtag at a time
// (RFC 4647 lookup), then to DefaultLocale.
func (r *Renderer) lookup(locale string) (string, *template.Template) {
	for l := normLocale(locale); l != ""; {
		if t, ok := r.templates[l]; ok {
			return l, t
		}
		i := strings.LastIndexByte(l, '-')
		if i < 0 {
			break
		}
		l = l[:i]
		// A single-letter subtag (an extension or private-use singleton)
		// does not stand alone: pt-x-foo falls back to pt.
		if j := strings.LastIndexByte(l, '-'); j >= 0 && j == len(l)-2 {
			l = l[:j]
		}
	}
	return DefaultLocale, r.templates[DefaultLocale]
}

// assemble appends the app hash line and the origin-bound line to the
// template's text. The origin-bound line must be the last line (WICG
// "Origin-bound one-time codes delivered via SMS": parsers read only the
// last line, which must start with "@host #code"), while the SMS Retriever
// only needs the hash somewhere in the message, so the hash goes on the line
// before it. Without a domain the hash is the last line.
func assemble(body string, d Data) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(body, "\r\n"))
	if d.AppHash != "" {
		b.WriteString("\n")
		b.WriteString(d.AppHash)
	}
	if d.Domain != "" {
		b.WriteString("\n@")
		b.WriteString(d.Domain)
		b.WriteString(" #")
		b.WriteString(d.Code)
	}
	return b.String()
}

// normLocale makes a tag comparable: lowercase, hyphens (pt_BR is pt-br).
func normLocale(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
}
