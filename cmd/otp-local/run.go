package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/signin"
)

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 && args[0] == "signin" {
		return signin.Run(ctx, args[1:], stdin, stdout, stderr)
	}
	start := time.Now()
	fs := flag.NewFlagSet("otp-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: otp-local [flags]            start the local user pool\n       otp-local signin +14155550123  sign in against it (otp-local signin -h)\n\nflags:")
		fs.PrintDefaults()
	}
	o := localstack.Options{Getenv: getenv, SMS: stdout}
	fs.StringVar(&o.Addr, "addr", localstack.DefaultAddr, "`host:port` to listen on; keep it on 127.0.0.1: the admin API checks no credentials")
	fs.StringVar(&o.PoolID, "pool-id", localstack.DefaultPoolID, "user pool `id`")
	fs.StringVar(&o.ClientID, "client-id", localstack.DefaultClientID, "app client `id`")
	fs.StringVar(&o.Outbox, "outbox", localstack.DefaultOutbox, "JSONL `file` each SMS is appended to; - for none")
	fs.BoolVar(&o.CreateTable, "create-table", false, "create OTP_TABLE_NAME if missing (DynamoDB Local)")
	fs.BoolVar(&o.RevealUserExistence, "reveal-user-existence", false, "turn PreventUserExistenceErrors off: unknown users get UserNotFoundException")
	testNumbers := fs.String("test-numbers", "", "fictional `numbers` with fixed codes, e.g. +15555550100=123456 (sets OTP_TEST_NUMBERS)")
	logLevel := fs.String("log-level", "INFO", "DEBUG, INFO, WARN or ERROR (JSON logs on stderr)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "otp-local: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(stderr, "otp-local: --log-level: must be DEBUG, INFO, WARN or ERROR")
		return 2
	}
	o.Log = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if *testNumbers != "" {
		o.Getenv = overlay(getenv, "OTP_TEST_NUMBERS", *testNumbers)
	}
	stack, err := localstack.New(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "otp-local:", err)
		return 1
	}
	banner(stdout, stack, time.Since(start))
	if !loopback(stack.URL()) {
		o.Log.Warn("listening beyond loopback: anyone who reaches this port can call the admin API", "addr", o.Addr)
		fmt.Fprintf(stderr, "\n!!! %s is not a loopback address: the admin API checks no credentials !!!\n\n", o.Addr)
	}
	if w := stack.TestNumbersWarning(); w != "" {
		o.Log.Warn(w)
		fmt.Fprintf(stderr, "\n!!! %s !!!\n\n", w)
	}
	if err := stack.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "otp-local:", err)
		return 1
	}
	fmt.Fprintln(stdout, "otp-local: stopped")
	return 0
}

func banner(w io.Writer, s *localstack.Stack, took time.Duration) {
	fmt.Fprintf(w, "otp-local: a local Cognito user pool for phone sign-in, ready in %d ms\n", took.Milliseconds())
	for _, line := range strings.Split(strings.TrimRight(s.Summary(), "\n"), "\n") {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintf(w, "Sign in from another terminal:\n  go run ./cmd/otp-local signin +14155550123\n")
	fmt.Fprintf(w, "SMS appear below as \"sms id=... to=... body=...\". Ctrl-C stops.\n")
}

// loopback reports whether the endpoint's host is a loopback address.
func loopback(endpoint string) bool {
	host, _, err := net.SplitHostPort(strings.TrimPrefix(endpoint, "http://"))
	if err != nil {
		return false
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
