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

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d, err := app.Load(ctx, config.EnvTable, config.EnvQueueURL, config.EnvSecret)
	if err != nil {
		app.Exit(d.Log, err)
	}
	driver, err := d.Worker(ctx, os.Getenv, os.Environ(), os.Stdout)
	if err != nil {
		app.Exit(d.Log, err)
	}
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.StartHandlerFunc(driver.HandleSQS)
		return
	}
	d.Log.Info("polling the queue; stop with Ctrl-C")
	driver.Poll(ctx)
}
