// Command otpctl is the operator's tool for a running deployment. Today it
// has one topic, routing: show, set, disable and enable providers in the
// SSM parameter the sms-worker reads (SMS_ROUTING_PARAMETER), validating
// every value with the worker's own rules before it writes. See
// docs/operations.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing/ssmparam"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg, err := awsinit.Load(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "otpctl:", err)
		os.Exit(2)
	}
	c := awsjson.New(cfg, awsjson.SSM)
	os.Exit(run(ctx, os.Args[1:], os.Getenv, store{ssmparam.NewReader(c), ssmparam.NewWriter(c)}, os.Stdin, os.Stdout, os.Stderr))
}
