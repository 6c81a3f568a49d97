package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/signin"
)

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 && args[0] == "signin" {
		return signin.RunEnv(ctx, args[1:], stdin, stdout, stderr, getenv)
	}
	start := time.Now()
	o, err := parseFlags(args, stdout, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		if !errors.Is(err, errUsagePrinted) {
			fmt.Fprintln(stderr, "otp-local:", err)
		}
		return 2
	}
	stack, err := localstack.New(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "otp-local:", err)
		return 1
	}
	banner(stdout, stack, time.Since(start))
	warn(stderr, o.Log, stack, o)
	if err := stack.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "otp-local:", err)
		return 1
	}
	fmt.Fprintln(stdout, "otp-local: stopped")
	return 0
}

var errUsagePrinted = errors.New("usage printed")

// parseFlags turns the command line into the stack's options.
func parseFlags(args []string, stdout, stderr io.Writer, getenv func(string) string) (localstack.Options, error) {
	fs := flag.NewFlagSet("otp-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: otp-local [flags]            start the local user pool\n       otp-local signin +14155550123  sign in against it (otp-local signin -h)\n\nflags:")
		fs.PrintDefaults()
	}
	o := localstack.Options{Getenv: getenv, SMS: stdout}
	fs.StringVar(&o.Addr, "addr", localstack.DefaultAddr, "`host:port` to listen on; keep it on 127.0.0.1: the admin API checks no credentials")
	fs.StringVar(&o.PublicURL, "public-url", "", "`URL` clients reach the stack at, for the tokens' iss (default http://addr, 127.0.0.1 for a wildcard host)")
	fs.StringVar(&o.PoolID, "pool-id", localstack.DefaultPoolID, "user pool `id`")
	fs.StringVar(&o.ClientID, "client-id", localstack.DefaultClientID, "app client `id`")
	fs.StringVar(&o.Outbox, "outbox", localstack.DefaultOutbox, "JSONL `file` each SMS is appended to; - for none")
	fs.BoolVar(&o.CreateTable, "create-table", false, "create OTP_TABLE_NAME if missing (DynamoDB Local)")
	fs.BoolVar(&o.ConfirmSignUpBySMS, "confirm-sign-up-by-sms", false, "run the pool without auto-confirm: SignUp sends a confirmation code through the Custom SMS Sender (needs a KMS: AWS_ENDPOINT_URL_KMS for local-kms, or OTP_KMS_KEY_ARN)")
	fs.BoolVar(&o.RevealUserExistence, "reveal-user-existence", false, "turn PreventUserExistenceErrors off: unknown users get UserNotFoundException")
	tmpl := fs.String("template", "", "take the pool's and app client's settings from this CloudFormation/SAM `file` (template.yaml) instead of the embedded ones (its defaults)")
	var overrides paramOverrides
	fs.Var(&overrides, "parameter-overrides", "`Key=Value` pairs for --template's parameters, space-separated as for sam deploy; may repeat")
	testNumbers := fs.String("test-numbers", "", "fictional `numbers` with fixed codes, e.g. +14155550100=123456 (sets OTP_TEST_NUMBERS)")
	logLevel := fs.String("log-level", "INFO", "DEBUG, INFO, WARN or ERROR (JSON logs on stderr)")
	simulate := fs.String("simulate-delivery", "", "simulated providers in failover order as `name=share@delay,...`, e.g. a=0.5@2s,b=0.98@1s: each delivers that share of its SMS after the delay and drops the rest (error 30007); their receipts drive the tallies and resends (SMS_DELIVERY_TIMEOUT, SMS_MAX_SENDS_PER_CODE)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsagePrinted
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (otp-local -h for usage)", fs.Arg(0))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return o, errors.New("--log-level: must be DEBUG, INFO, WARN or ERROR")
	}
	if *simulate != "" {
		sims, err := localstack.ParseSimulation(*simulate)
		if err != nil {
			return o, err
		}
		o.Simulate = sims
	}
	if *tmpl == "" && len(overrides) > 0 {
		return o, errors.New("--parameter-overrides: needs --template")
	}
	if *tmpl != "" {
		ps, err := localstack.ReadTemplate(*tmpl, overrides)
		if err != nil {
			return o, err
		}
		o.Pool = &ps
		o.PoolSource = *tmpl
		for _, k := range slices.Sorted(maps.Keys(overrides)) {
			o.PoolSource += " " + k + "=" + overrides[k]
		}
	}
	o.Log = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if *testNumbers != "" {
		o.Getenv = overlay(getenv, "OTP_TEST_NUMBERS", *testNumbers)
	}
	return o, nil
}

func banner(w io.Writer, s *localstack.Stack, took time.Duration) {
	fmt.Fprintf(w, "otp-local: a local Cognito user pool for phone sign-in, ready in %d ms\n", took.Milliseconds())
	for _, line := range strings.Split(strings.TrimRight(s.Summary(), "\n"), "\n") {
		fmt.Fprintln(w, "  "+line)
	}
	existence := "hidden (PreventUserExistenceErrors, as deployed)"
	if s.RevealsUsers() {
		existence = "REVEALED: unknown numbers get UserNotFoundException"
	}
	fmt.Fprintf(w, "  unknown    %s\n", existence)
	if s.TestNumbersWarning() != "" {
		fmt.Fprintln(w, "  test nums  ON: they sign in with fixed codes and get no SMS")
	}
	fmt.Fprintf(w, "Sign in from another terminal:\n  %s\n", signinHint(s))
	fmt.Fprintf(w, "SMS appear below as \"sms id=... to=... body=...\". Ctrl-C stops.\n")
}

// signinHint is the client command for this stack, with the flags that
// differ from the client's defaults.
func signinHint(s *localstack.Stack) string {
	hint := "go run ./cmd/otp-local signin +14155550123"
	if s.URL() != "http://"+localstack.DefaultAddr {
		hint += " --endpoint " + s.URL()
	}
	if s.ClientID() != localstack.DefaultClientID || s.PoolID() != localstack.DefaultPoolID {
		hint += " --client-id " + s.ClientID() + " --pool-id " + s.PoolID()
	}
	return hint
}

// warn says loudly what makes this stack unlike a safe local one.
func warn(stderr io.Writer, log *slog.Logger, s *localstack.Stack, o localstack.Options) {
	if !loopback(s.URL()) || !loopbackAddr(o.Addr) {
		log.Warn("listening beyond loopback: anyone who reaches this port can call the admin API", "addr", o.Addr)
		fmt.Fprintf(stderr, "\n!!! %s is not a loopback address: the admin API checks no credentials !!!\n\n", o.Addr)
	}
	if w := s.TestNumbersWarning(); w != "" {
		log.Warn(w)
		fmt.Fprintf(stderr, "\n!!! %s !!!\n\n", w)
	}
}

// loopback reports whether the endpoint's host is a loopback address.
func loopback(endpoint string) bool {
	_, rest, _ := strings.Cut(endpoint, "://")
	return loopbackAddr(rest)
}

func loopbackAddr(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// overlay returns getenv with one variable replaced.
func overlay(getenv func(string) string, name, value string) func(string) string {
	return func(k string) string {
		if k == name {
			return value
		}
		return getenv(k)
	}
}

// paramOverrides collects --parameter-overrides "A=1 B=2" (repeatable).
type paramOverrides map[string]string

func (p *paramOverrides) String() string { return "" }

func (p *paramOverrides) Set(v string) error {
	if *p == nil {
		*p = paramOverrides{}
	}
	for _, pair := range strings.Fields(v) {
		k, val, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q: want Key=Value", pair)
		}
		(*p)[k] = val
	}
	return nil
}
