// Command sms-worker delivers the SMS jobs on the queue. Under Lambda (the
// SQS event source, with ReportBatchItemFailures) it is the handler; run
// anywhere else (a container, the local stack) it long-polls the queue until
// SIGINT or SIGTERM.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/lambdainit"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := worker.SettingsFromEnv(os.Getenv, os.Environ())
	log, aws := awsinit.Start(ctx, s.LogLevel, err)
	keys, err := secret.LoadKeysAWS(ctx, s.Secret, aws, log)
	lambdainit.Check(log, lambdainit.DependencyFailed, err)
	driver, err := wire(ctx, s, aws, keys, os.Getenv, os.Stdout, log)
	lambdainit.Check(log, lambdainit.ConfigInvalid, err)
	if os.Getenv(lambdainit.EnvRuntimeAPI) != "" {
		lambda.StartHandlerFunc(driver.HandleSQS)
		return
	}
	log.Info("polling the queue; stop with Ctrl-C")
	driver.Poll(ctx)
}
