package localstack_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/signin"
)

// codeReader is a terminal whose user types the code of the n-th SMS to a
// number once it arrives, as a person reading the console would.
type codeReader struct {
	l     *local
	phone string
	n     int
	buf   *bytes.Reader
}

func (r *codeReader) Read(p []byte) (int, error) {
	if r.buf == nil {
		// The client may read in a goroutine of its own: no t.Fatal here.
		code, err := r.l.waitCode(r.phone, r.n)
		if err != nil {
			return 0, err
		}
		r.buf = bytes.NewReader([]byte(code + "\n"))
	}
	return r.buf.Read(p)
}

// The documented client command signs up and in against the stack, and
// checks the ID token against its JWKS.
func TestSignInCommand(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			l := start(t, b, nil)
			phone := number(t)
			var out, errOut bytes.Buffer
			args := []string{phone, "--endpoint", l.stack.URL(), "--client-id", l.stack.ClientID(), "--pool-id", l.stack.PoolID()}
			code := signin.Run(context.Background(), args, &codeReader{l: l, phone: phone, n: 1}, &out, &errOut)
			if code != 0 {
				t.Fatalf("signin exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
			}
			for _, want := range []string{"Signed in.", "verified against JWKS", `"phone_number": "` + phone + `"`, `"phone_number_verified": true`} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("signin output lacks %q:\n%s", want, out.String())
				}
			}
			// Nothing that would let someone else in is printed.
			if regexp.MustCompile(`eyJ[\w-]+\.eyJ`).MatchString(out.String()) {
				t.Errorf("signin printed a token without --show-tokens")
			}
		})
	}
}

// Test numbers sign in with their fixed code, and no SMS goes out.
func TestTestNumbers(t *testing.T) {
	const testNumber, fixed = "+14155550100", "246810"
	l := start(t, backends[0], map[string]string{"OTP_TEST_NUMBERS": testNumber + "=" + fixed})
	if w := l.stack.TestNumbersWarning(); !strings.Contains(w, "TEST NUMBERS ARE ON") || strings.Contains(w, fixed) {
		t.Errorf("warning = %q: want a loud one without the code", w)
	}
	l.signUp(t, testNumber)
	c := l.mustInitiate(t, testNumber)
	res, err := l.respond(c, fixed)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("the fixed code: %v", err)
	}
	l.quiet(t, testNumber, 0)
	// Any other number still gets a real SMS.
	other := number(t)
	l.signUp(t, other)
	l.signIn(t, other)
}

// Logs hold no phone number and no code across whole sign-ins; each
// request has its log line.
func TestLogsHoldNoNumbersOrCodes(t *testing.T) {
	l := start(t, backends[0], nil)
	phone := number(t)
	l.signUp(t, phone)
	l.signIn(t, phone)
	logs := l.logs.String()
	if m := regexp.MustCompile(`\+\d{7,}`).FindString(logs); m != "" {
		t.Errorf("logs hold a phone number %s", m)
	}
	code := l.messages(t, phone)[0].Code
	if regexp.MustCompile(`\D` + code + `\D`).MatchString(logs) {
		t.Errorf("logs hold the code %s", code)
	}
	for _, op := range []string{"SignUp", "InitiateAuth", "RespondToAuthChallenge"} {
		if !strings.Contains(logs, `"op":"`+op+`"`) {
			t.Errorf("no request line for %s", op)
		}
	}
}

var _ io.Reader = (*codeReader)(nil)
