package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
)

// The README's two commands: start the stack, sign in with its client,
// reading the code from the stack's console output, then stop it with the
// signal's context.
func TestStartThenSignIn(t *testing.T) {
	outbox := filepath.Join(t.TempDir(), "outbox.jsonl")
	var stdout, stderr testutil.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // stops the stack if the test fails early
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--outbox", outbox}, nil, &stdout, &stderr, func(string) string { return "" })
	}()
	endpoint := waitFor(t, &stdout, regexp.MustCompile(`endpoint\s+(http://\S+)`))

	phone := "+14155550123"
	stdin := &smsCodeReader{console: &stdout, phone: phone}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"signin", phone, "--endpoint", endpoint}, stdin, &out, &errOut, nil)
	if code != 0 {
		t.Fatalf("signin exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "Signed in.") {
		t.Errorf("signin output:\n%s", out.String())
	}
	cancel()
	select {
	case c := <-done:
		if c != 0 {
			t.Fatalf("otp-local exit %d\n%s", c, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("otp-local did not stop within 15 s of its context ending")
	}
	if !strings.Contains(stdout.String(), "otp-local: stopped") {
		t.Errorf("no stop line:\n%s", stdout.String())
	}
	// The outbox got the SMS too, one JSON line.
	b, err := os.ReadFile(outbox)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ To string }
	if err := json.Unmarshal(bytes.TrimSpace(b), &rec); err != nil || rec.To != phone {
		t.Errorf("outbox %q: %v", b, err)
	}
}

// smsCodeReader types the code of the SMS printed on the console.
type smsCodeReader struct {
	console *testutil.SyncBuffer
	phone   string
	buf     *bytes.Reader
}

func (r *smsCodeReader) Read(p []byte) (int, error) {
	if r.buf == nil {
		// The client may read in a goroutine of its own: no t.Fatal here.
		code, err := find(r.console, regexp.MustCompile(`to=`+regexp.QuoteMeta(r.phone)+` body="[^"]*?(\d{6})`))
		if err != nil {
			return 0, err
		}
		r.buf = bytes.NewReader([]byte(code + "\n"))
	}
	return r.buf.Read(p)
}

// waitFor returns the first group of re once it shows in out.
func waitFor(t *testing.T, out *testutil.SyncBuffer, re *regexp.Regexp) string {
	t.Helper()
	m, err := find(out, re)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func find(out *testutil.SyncBuffer, re *regexp.Regexp) (string, error) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				return m[1], nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "", fmt.Errorf("no %s within 20 s in:\n%s", re, out.String())
}

func TestBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--pool-id", "nope"}, "--pool-id"},
		{[]string{"--client-id", "a b"}, "--client-id"},
		{[]string{"--log-level", "LOUD"}, "--log-level"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--addr", "256.0.0.1:1"}, "--addr"},
		{[]string{"--simulate-delivery", "a=0.5"}, "want name=share@delay"},
		{[]string{"--simulate-delivery", "a=1.5@2s"}, "share delivered must be a number from 0 to 1"},
		{[]string{"--simulate-delivery", "a=0.5@soon"}, "the delay must be a duration"},
		{[]string{"--simulate-delivery", "A=0.5@1s"}, "the name must be a lower-case letter"},
		{[]string{"--simulate-delivery", "a=0.5@1s,a=1@1s"}, "a listed twice"},
		{[]string{"--simulate-delivery", ","}, "names no provider"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tc.args, nil, &out, &errOut, func(string) string { return "" })
			if code == 0 || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("exit %d, stderr %q: want a failure naming %s", code, errOut.String(), tc.want)
			}
		})
	}
}

func TestBadSettingNamesTheVariable(t *testing.T) {
	for name, value := range map[string]string{
		"OTP_CODE_LENGTH":        "three",
		"SMS_DELIVERY_TIMEOUT":   "20m",
		"SMS_MAX_SENDS_PER_CODE": "0",
		"SMS_RESEND_MIN_LIFE":    "forever",
	} {
		var out, errOut bytes.Buffer
		getenv := func(k string) string {
			if k == name {
				return value
			}
			return ""
		}
		if code := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--outbox", "-"}, nil, &out, &errOut, getenv); code != 1 || !strings.Contains(errOut.String(), name) {
			t.Errorf("%s=%s: exit %d, stderr %q", name, value, code, errOut.String())
		}
	}
}

// Confirmation by SMS needs a KMS key: without one the start says what to set.
func TestConfirmBySMSNeedsAKey(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--outbox", "-", "--confirm-sign-up-by-sms"}, nil, &out, &errOut, func(string) string { return "" })
	if code != 1 || !strings.Contains(errOut.String(), "AWS_ENDPOINT_URL_KMS") || !strings.Contains(errOut.String(), "OTP_KMS_KEY_ARN") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// A stack on a wildcard address still issues tokens the client verifies,
// and the banner's hint names the flags that differ from the defaults.
func TestWildcardAddressAndHint(t *testing.T) {
	var stdout, stderr testutil.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "0.0.0.0:0", "--outbox", "-", "--pool-id", "eu-west-1_Other1", "--client-id", "otherclient",
			"--test-numbers", "+14155550100=246810"}, nil, &stdout, &stderr, func(string) string { return "" })
	}()
	hint := waitFor(t, &stdout, regexp.MustCompile(`^\s+(go run ./cmd/otp-local signin .*)$`))
	if !regexp.MustCompile(`--endpoint http://127\.0\.0\.1:\d+ --client-id otherclient --pool-id eu-west-1_Other1$`).MatchString(hint) {
		t.Errorf("hint = %q", hint)
	}
	if !strings.Contains(stderr.String(), "not a loopback address") {
		t.Errorf("no warning about the wildcard address:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "TEST NUMBERS ARE ON") {
		t.Errorf("no test numbers warning:\n%s", stderr.String())
	}
	args := strings.Fields(strings.Replace(hint, "+14155550123", "+14155550100", 1))[3:]
	args = append(args, "--code", "246810")
	var out, errOut bytes.Buffer
	// The tokens' iss is the hint's endpoint, so the client verifies them.
	if code := run(context.Background(), args, nil, &out, &errOut, func(string) string { return "" }); code != 0 || !strings.Contains(out.String(), "verified against JWKS") {
		t.Errorf("signin with the hint: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	cancel()
	<-done
}

// otp-local --template runs the settings the template deploys, with its
// parameter overrides, and the documented sign-up works against it.
func TestTemplateThenSignIn(t *testing.T) {
	var stdout, stderr testutil.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--outbox", "-", "--template", "../../template.yaml",
			"--parameter-overrides", "CodeTtlMinutes=5"}, nil, &stdout, &stderr, func(string) string { return "" })
	}()
	endpoint := waitFor(t, &stdout, regexp.MustCompile(`endpoint\s+(http://\S+)`))
	if !strings.Contains(stdout.String(), "settings   ../../template.yaml CodeTtlMinutes=5: flows ALLOW_CUSTOM_AUTH,ALLOW_REFRESH_TOKEN_AUTH; clients write locale,custom:otp_channel; session 5m") {
		t.Errorf("banner does not show the template's settings:\n%s", stdout.String())
	}
	phone := "+14155550124"
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"signin", phone, "--endpoint", endpoint},
		&smsCodeReader{console: &stdout, phone: phone}, &out, &errOut, nil)
	if code != 0 {
		t.Fatalf("signin exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	cancel()
	if c := <-done; c != 0 {
		t.Fatalf("otp-local exit %d\n%s", c, stderr.String())
	}
}

func TestTemplateFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--parameter-overrides", "CodeTtlMinutes=5"}, "--parameter-overrides: needs --template"},
		{[]string{"--template", "../../template.yaml", "--parameter-overrides", "CodeTtlMinutes=99"}, "parameter CodeTtlMinutes=99: want at most 15"},
		{[]string{"--template", "../../template.yaml", "--parameter-overrides", "CodeTtlMinutes"}, `"CodeTtlMinutes": want Key=Value`},
		{[]string{"--template", "no-such.yaml"}, "--template: open no-such.yaml"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, nil, &stdout, &stderr, func(string) string { return "" }); code != 2 {
			t.Errorf("%v: exit %d, want 2", tt.args, code)
		}
		if !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: stderr %q, want it to contain %q", tt.args, stderr.String(), tt.want)
		}
	}
}
