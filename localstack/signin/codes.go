package signin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

var (
	// errWrongFixedCode means the code given with --code was wrong; there
	// is nobody to ask for another.
	errWrongFixedCode = errors.New("the code given with --code is wrong")
	// errNoCode means stdin ended before a code was typed.
	errNoCode = errors.New("no code entered: stdin closed")
)

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

// next returns the next code. Blank lines are asked again rather than sent,
// since every answer sent counts against the code's attempts.
func (c *codeSource) next(ctx context.Context) (string, error) {
	if !c.interactive() {
		return c.fixed, nil
	}
	for {
		fmt.Fprint(c.prompt, "Enter the code: ")
		line, err := c.readLine(ctx)
		if err != nil {
			return "", err
		}
		if code := strings.TrimSpace(line); code != "" {
			return code, nil
		}
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
