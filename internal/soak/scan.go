package soak

import (
	"bufio"
	"os"
	"regexp"
	"strings"
)

// LeakScan is what the scan of every log line found.
type LeakScan struct {
	Lines, Warnings, Errors int
	// Codes, FullNumbers, Secrets and Tokens count lines holding a code
	// that was sent, an unmasked number, the server secret, or a JWT.
	Codes, FullNumbers, Secrets, Tokens int
	// Examples are a few offending lines, with what leaked blotted out.
	Examples []string
}

// Leaks is the number of offending lines.
func (s LeakScan) Leaks() int { return s.Codes + s.FullNumbers + s.Secrets + s.Tokens }

var (
	fullNumber = regexp.MustCompile(`\+[0-9]{7,}`) // as internal/testutil.FullNumber
	jwt        = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
)

// scanLogs reads the log file line by line.
func scanLogs(path string, codes map[string]bool, secret string) (LeakScan, error) {
	f, err := os.Open(path)
	if err != nil {
		return LeakScan{}, err
	}
	defer f.Close()
	var s LeakScan
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		s.Lines++
		switch {
		case strings.Contains(line, `"level":"WARN"`):
			s.Warnings++
		case strings.Contains(line, `"level":"ERROR"`):
			s.Errors++
		}
		bad := false
		for _, c := range []struct {
			hit bool
			n   *int
		}{
			{holdsAnyCode(line, codes), &s.Codes},
			{fullNumber.MatchString(line), &s.FullNumbers},
			{secret != "" && strings.Contains(line, secret), &s.Secrets},
			{jwt.MatchString(line), &s.Tokens},
		} {
			if c.hit {
				*c.n++
				bad = true
			}
		}
		if bad && len(s.Examples) < 5 {
			s.Examples = append(s.Examples, blot(line, codes, secret))
		}
	}
	return s, sc.Err()
}

// holdsAnyCode reports a token of the line that is a code that was sent.
// A token is a run of letters, digits and hyphens: a code inside a log's
// nanoseconds, a hex id or a request id ("c7624bd1-000294") is not one.
func holdsAnyCode(line string, codes map[string]bool) bool {
	found := false
	tokens(line, func(i, j int) {
		if codes[line[i:j]] {
			found = true
		}
	})
	return found
}

func tokens(s string, f func(i, j int)) {
	alnum := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-'
	}
	for i := 0; i < len(s); {
		if !alnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && alnum(s[j]) {
			j++
		}
		f(i, j)
		i = j
	}
}

func blot(line string, codes map[string]bool, secret string) string {
	line = fullNumber.ReplaceAllString(line, "+<number>")
	line = jwt.ReplaceAllString(line, "<jwt>")
	if secret != "" {
		line = strings.ReplaceAll(line, secret, "<secret>")
	}
	var b strings.Builder
	last := 0
	tokens(line, func(i, j int) {
		if codes[line[i:j]] {
			b.WriteString(line[last:i])
			b.WriteString("<code>")
			last = j
		}
	})
	b.WriteString(line[last:])
	if s := b.String(); len(s) > 300 {
		return s[:300] + "…"
	}
	return b.String()
}
