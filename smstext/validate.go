package smstext

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// Bounds on what goes into a message. At these bounds (a MaxDomainLen
// domain, an app hash, a MaxCodeLen code, a 2-digit lifetime) the built-in
// English message is 150 of the 160 septets of one GSM-7 segment and the
// Spanish one 147; the Hindi one (UCS-2) is 134 UTF-16 units, 2 segments,
// and 1 segment (70 units) without the domain line.
const (
	MaxDomainLen = 50
	MaxMinutes   = 99
	AppHashLen   = 11
	MinCodeLen   = 4
	MaxCodeLen   = 10
)

// The shapes are checked by hand, not with regexps compiled at init (see
// internal/charclass); each comment gives the pattern it is.
var (
	// localeTag is ^[a-z]{2,3}(-[a-z0-9]{1,8})*$.
	localeTag    = charclass.Tag{First: charclass.New("a-z"), FirstMin: 2, FirstMax: 3, Rest: charclass.New("a-z0-9"), RestMin: 1, RestMax: 8}
	labelChars   = charclass.New("a-z0-9-")
	appHashChars = charclass.New("A-Za-z0-9+/")
)

func validLocale(s string) bool {
	n := normLocale(s)
	return len(n) <= 35 && localeTag.Match(n)
}

// validLabel is ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$: 1 to 63 of a-z, 0-9
// and -, not starting or ending with -.
func validLabel(l string) bool {
	return labelChars.Match(l, 1, 63) && l[0] != '-' && l[len(l)-1] != '-'
}

// appHashShape is ^[A-Za-z0-9+/]{11}$.
func appHashShape(h string) bool { return appHashChars.Match(h, AppHashLen, AppHashLen) }

// validDomain checks a host for the origin-bound line. The line's host is
// the origin's host with https implied, so it is a bare DNS name: no scheme,
// port, path, user info or trailing dot, lowercase ASCII letter-digit-hyphen
// labels (an IDN as its xn-- form), not an IP address. Chrome's parser
// accepts only [a-zA-Z0-9.-] there. Empty is valid: no origin-bound line.
func validDomain(d string) error {
	if d == "" {
		return nil
	}
	bad := func(why string) error { return fmt.Errorf("%w %.60q: %s", ErrDomain, d, why) }
	switch {
	case strings.Contains(d, "://"):
		return bad("want a host name such as example.com, without a scheme")
	case strings.ContainsAny(d, "/?#"):
		return bad("want a host name such as example.com, without a path")
	case strings.Contains(d, ":"):
		return bad("want a host name without a port (the origin is https on 443)")
	case strings.Contains(d, "@"):
		return bad("want a host name without user info or @")
	case len(d) > MaxDomainLen:
		return bad(fmt.Sprintf("longer than %d characters, which would not fit one SMS segment", MaxDomainLen))
	case strings.HasSuffix(d, "."):
		return bad("want no trailing dot")
	case strings.ToLower(d) != d:
		return bad("want lowercase")
	}
	for i := 0; i < len(d); i++ {
		if d[i] >= 0x80 {
			return bad("want ASCII; write an internationalized name in its xn-- (punycode) form")
		}
	}
	labels := strings.Split(d, ".")
	for _, l := range labels {
		if !validLabel(l) {
			return bad("each dot-separated label must be 1 to 63 of a-z, 0-9 and -, not starting or ending with -")
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return bad("want a host name, not an IP address")
	}
	return nil
}

// validAppHash checks an Android SMS Retriever hash: the first 11
// characters of the standard base64 (A-Z a-z 0-9 + /, not base64url) of the
// SHA-256 of the package name and signing certificate. Empty is valid: no
// hash line.
func validAppHash(h string) error {
	if h == "" || appHashShape(h) {
		return nil
	}
	return fmt.Errorf("%w %.20q: want %d characters of A-Z, a-z, 0-9, + and / (Google's SMS Retriever hash string)", ErrAppHash, h, AppHashLen)
}

// validate checks Data before rendering; its errors never show the code.
func (d Data) validate() error {
	if n := len(d.Code); n < MinCodeLen || n > MaxCodeLen || !codeShaped(d.Code) {
		// The SMS User Consent API that Chrome's WebOTP uses on Android
		// looks for a 4 to 10 character alphanumeric code with a digit.
		return fmt.Errorf("%w: code must be %d to %d ASCII letters or digits with at least one digit", ErrData, MinCodeLen, MaxCodeLen)
	}
	if d.Minutes < 1 || d.Minutes > MaxMinutes {
		return fmt.Errorf("%w: minutes %d: must be 1 to %d", ErrData, d.Minutes, MaxMinutes)
	}
	if err := validDomain(d.Domain); err != nil {
		return err
	}
	return validAppHash(d.AppHash)
}

func codeShaped(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digit
}

// probeCode stands in for the code when New test-renders a template; it is
// shaped like a real code, so it passes Data.validate.
const probeCode = "7Q4Z9K2W5X"

// compile parses a template and checks that it prints the code exactly
// once: one reference to .Code in the source, and the probe code once in the
// output for each probe lifetime (so {{if}} branches and {{printf "%v" .}}
// are caught), and that it executes.
func compile(locale, text string) (*template.Template, error) {
	t, err := template.New(locale).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	if len(t.Templates()) != 1 || t.Tree == nil {
		return nil, fmt.Errorf("%w: must be a single template, without define or block", ErrTemplate)
	}
	refs, nested := codeRefs(t.Tree.Root)
	if nested {
		return nil, fmt.Errorf("%w: must not call other templates", ErrTemplate)
	}
	if refs != 1 {
		return nil, fmt.Errorf("%w: must reference {{.Code}} exactly once, found %d", ErrTemplate, refs)
	}
	for _, minutes := range []int{1, 2, 15, MaxMinutes} {
		var b bytes.Buffer
		d := Data{Code: probeCode, Minutes: minutes, Domain: "example.com", AppHash: "FA+9qCX9VSu"}
		if err := t.Execute(&b, d); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
		}
		if n := strings.Count(b.String(), probeCode); n != 1 {
			return nil, fmt.Errorf("%w: must print the code exactly once, printed it %d times for %d minutes", ErrTemplate, n, minutes)
		}
	}
	return t, nil
}

// codeRefs counts references to the Code field (.Code, $.Code, and as
// the head of a chain) under n, and reports template calls.
func codeRefs(n parse.Node) (refs int, nested bool) { return fieldRefs(n, "Code") }

// fieldRefs counts references to the field named field under n, as
// codeRefs does for Code.
func fieldRefs(n parse.Node, field string) (refs int, nested bool) {
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case nil:
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			if len(n.Ident) > 0 && n.Ident[0] == field {
				refs++
			}
		case *parse.VariableNode:
			if len(n.Ident) > 1 && n.Ident[0] == "$" && n.Ident[1] == field {
				refs++
			}
		case *parse.ChainNode:
			walk(n.Node)
			if _, dot := n.Node.(*parse.DotNode); dot && len(n.Field) > 0 && n.Field[0] == field {
				refs++
			}
		case *parse.IfNode:
			walkBranch(&n.BranchNode, walk)
		case *parse.RangeNode:
			walkBranch(&n.BranchNode, walk)
		case *parse.WithNode:
			walkBranch(&n.BranchNode, walk)
		case *parse.TemplateNode:
			nested = true
			walk(n.Pipe)
		}
	}
	walk(n)
	return refs, nested
}

func walkBranch(b *parse.BranchNode, walk func(parse.Node)) {
	walk(b.Pipe)
	walk(b.List)
	walk(b.ElseList)
}
