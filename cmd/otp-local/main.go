// Command otp-local runs the whole phone sign-in on one machine: a local
// Amazon Cognito user pool endpoint (custom auth over the real API), the
// project's triggers, and the SMS worker printing each SMS on the console.
//
//	go run ./cmd/otp-local                      # start the stack on 127.0.0.1:9229
//	go run ./cmd/otp-local signin +14155550123  # sign in against it
//
// See docs/local-stack.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first Ctrl-C, a second one kills the process at once.
	context.AfterFunc(ctx, stop)
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
