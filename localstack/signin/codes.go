package signin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

var (
	// errWrongFixedCode means the code given with --code was wrong; there
	// is nobody to ask for another.
	errWrongFixedCode = errors.New("the code given with --code is wrong")
	// errNoCode means stdin ended before a code was typed.
	errNoCode = errors.New("no code entered: stdin closed")
)

// errCodesSpent means the sign-in failed after wrong answers: Cognito's
// "Incorrect username or password." in words a user can act on.
type errCodesSpent struct{ answers int }

func (e errCodesSpent) Error() string {
	if e.answers == 1 {
		return "1 wrong code: start again"
	}
	return strconv.Itoa(e.answers) + " wrong codes: start again"
}

// checkCode refuses what can never be the code, before it spends one of
// the code's answers. Verify ignores white space, so "123 456" counts as
// six digits and is sent as typed. length is the challenge's codeLength;
// 0 means unknown.
func checkCode(typed string, length int) (string, error) {
	digits := strings.Join(strings.Fields(typed), "")
	if strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
		return "", fmt.Errorf("%q is not a code: a code is digits only", typed)
	}
	if length > 0 && len(digits) != length {
		return "", fmt.Errorf("%q has %d digits, the code has %d", typed, len(digits), length)
	}
	return strings.TrimSpace(typed), nil
}

// codeSource yields the codes to answer with: the --code value (the caller
// asks once), or lines typed on stdin after a prompt.
type codeSource struct {
	fixed  string
	lines  *bufio.Scanner
	prompt io.Writer
}

func newCodeSource(fixed string, stdin io.Reader, prompt io.Writer) *codeSource {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	return &codeSource{fixed: fixed, lines: bufio.NewScanner(stdin), prompt: prompt}
}

// interactive reports whether codes are typed, so that another can be asked
// for after a wrong one.
func (c *codeSource) interactive() bool { return c.fixed == "" }

// next returns the next code, of length digits when length > 0. Blank
// lines and what cannot be a code are asked again rather than sent, since
// every answer sent counts against the code's attempts; a --code that
// cannot be one is an error before anything is sent.
func (c *codeSource) next(ctx context.Context, length int) (string, error) {
	if !c.interactive() {
		code, err := checkCode(c.fixed, length)
		if err != nil {
			return "", fmt.Errorf("--code: %w; nothing was sent", err)
		}
		return code, nil
	}
	for {
		fmt.Fprint(c.prompt, "Enter the code: ")
		line, err := c.readLine(ctx)
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		code, err := checkCode(line, length)
		if err == nil {
			return code, nil
		}
		fmt.Fprintf(c.prompt, "%v; nothing was sent, try again.\n", err)
	}
}

// readLine reads one line, giving up when ctx is done (Ctrl-C) even though
// a read from a terminal cannot be interrupted. The reading goroutine then
// ends with the next line or EOF, touching nothing but the scanner, which
// nobody reads after that.
func (c *codeSource) readLine(ctx context.Context) (string, error) {
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		if c.lines.Scan() {
			done <- result{line: c.lines.Text()}
			return
		}
		err := c.lines.Err()
		if err == nil {
			err = errNoCode
		} else {
			err = fmt.Errorf("read code: %w", err)
		}
		done <- result{err: err}
	}()
	select {
	case r := <-done:
		if errors.Is(r.err, errNoCode) {
			fmt.Fprintln(c.prompt) // end the prompt's line, as Enter would
		}
		return r.line, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("wait for code: %w", ctx.Err())
	}
}
