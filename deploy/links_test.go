package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

var (
	// [text](target) and ![alt](target), target up to a space or ')'.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// [label]: target
	refLink   = regexp.MustCompile(`(?m)^\s{0,3}\[[^\]]+\]:\s+(\S+)`)
	heading   = regexp.MustCompile(`^#{1,6}\s+(.+?)\s*#*\s*$`)
	anchorTag = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
)

// TestMarkdownLinks checks every relative link in README.md and docs/*.md:
// the file or folder exists and, for a #fragment into a markdown file, a
// heading (GitHub's anchor rules) or <a name> gives that anchor.
func TestMarkdownLinks(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{filepath.Join("..", "README.md")}, docs...)
	anchors := map[string]map[string]bool{}
	for _, f := range files {
		for _, target := range links(t, f) {
			if err := checkLink(f, target, anchors); err != nil {
				t.Errorf("%s: link %q: %v", strings.TrimPrefix(f, "../"), target, err)
			}
		}
	}
}

// TestReadmeLinksEachPageOnce keeps README a front page: every page in
// docs/ is reachable from it, by exactly one link (one topic per page, each
// linked once), so no topic hides and none is announced twice.
func TestReadmeLinksEachPageOnce(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, target := range links(t, filepath.Join("..", "README.md")) {
		path, _, _ := strings.Cut(target, "#")
		if strings.HasPrefix(path, "docs/") && strings.HasSuffix(path, ".md") {
			count[filepath.Base(path)]++
		}
	}
	for _, d := range docs {
		if n := count[filepath.Base(d)]; n != 1 {
			t.Errorf("README links docs/%s %d times, want once", filepath.Base(d), n)
		}
	}
}

func checkLink(from, target string, anchors map[string]map[string]bool) error {
	if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
		return nil
	}
	path, frag, _ := strings.Cut(target, "#")
	file := from
	if path != "" {
		file = filepath.Join(filepath.Dir(from), filepath.FromSlash(path))
		if _, err := os.Stat(file); err != nil {
			return fmt.Errorf("no such file or folder")
		}
	}
	if frag == "" || !strings.HasSuffix(file, ".md") {
		return nil
	}
	if anchors[file] == nil {
		a, err := anchorsOf(file)
		if err != nil {
			return err
		}
		anchors[file] = a
	}
	if !anchors[file][frag] {
		return fmt.Errorf("no heading or anchor #%s in %s", frag, filepath.Base(file))
	}
	return nil
}

// links returns the link targets outside fenced code blocks and inline code.
func links(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range proseLines(string(b)) {
		line = stripInlineCode(line)
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			out = append(out, strings.Trim(m[1], "<>"))
		}
		for _, m := range refLink.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// proseLines drops fenced code blocks.
func proseLines(s string) []string {
	var out []string
	fence := ""
	for _, line := range strings.Split(s, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(trim, fence) {
				fence = ""
			}
		case strings.HasPrefix(trim, "```"), strings.HasPrefix(trim, "~~~"):
			fence = trim[:3]
		default:
			out = append(out, line)
		}
	}
	return out
}

var inlineCode = regexp.MustCompile("`[^`]*`")

func stripInlineCode(s string) string { return inlineCode.ReplaceAllString(s, "") }

// anchorsOf lists a markdown file's anchors as GitHub makes them: each
// heading lower-cased, punctuation dropped, spaces made hyphens, a repeat
// suffixed -1, -2...; plus explicit <a name> / <a id>.
func anchorsOf(file string) (map[string]bool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	count := map[string]int{}
	for _, line := range proseLines(string(b)) {
		for _, m := range anchorTag.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := slugify(m[1])
		if n := count[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		count[slug]++
	}
	return out, nil
}

func slugify(h string) string {
	h = inlineLink.ReplaceAllStringFunc(h, func(l string) string { return l[strings.Index(l, "[")+1 : strings.Index(l, "]")] })
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Two commands": "two-commands",
		"1. Sign-up: a random password nobody sees":                      "1-sign-up-a-random-password-nobody-sees",
		"Refusals: `UserLambdaValidationException` with an `OTP_*` code": "refusals-userlambdavalidationexception-with-an-otp_-code",
		"Amplify JS v6": "amplify-js-v6",
	} {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
