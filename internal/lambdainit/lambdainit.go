// Package lambdainit ends a Lambda function's start-up that cannot go on:
// it reports the error through the Lambda Runtime API's init error endpoint,
// so Lambda fails the init with that message (naming the bad variable)
// instead of a bare exit status, and then exits. It also makes the mains'
// JSON logger. It links no AWS package.
package lambdainit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// EnvRuntimeAPI is where Lambda serves the Runtime API (host:port); unset
// outside Lambda.
const EnvRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"

// Error types, in the <category.reason> form the Runtime API recommends.
const (
	// ConfigInvalid: a variable is missing or wrong.
	ConfigInvalid = "Runtime.ConfigInvalid"
	// DependencyFailed: a dependency could not be set up or reached at
	// start (AWS credentials, the secret).
	DependencyFailed = "Runtime.DependencyFailed"
)

// Logger is the functions' logger: JSON on stdout at level.
func Logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
}

// Start is every main's first step after reading its settings: it makes
// the logger at their level, then ends the start-up as a ConfigInvalid init
// error if they could not be read (err names the variables).
func Start(level slog.Level, err error) *slog.Logger {
	log := Logger(level)
	Check(log, ConfigInvalid, err)
	return log
}

// reportTimeout bounds the report: the process exits either way.
const reportTimeout = 2 * time.Second

// Exit logs err, reports it as the init error when running under Lambda,
// and ends the process with status 1.
func Exit(log *slog.Logger, errorType string, err error) {
	log.Error("start-up failed", "errorType", errorType, "err", err)
	if api := os.Getenv(EnvRuntimeAPI); api != "" {
		ctx, cancel := context.WithTimeout(context.Background(), reportTimeout)
		if rerr := Report(ctx, http.DefaultClient, api, errorType, err); rerr != nil {
			log.Error("init error not reported", "err", rerr)
		}
		cancel()
	}
	os.Exit(1)
}

// Check ends the start-up with Exit when err is not nil.
func Check(log *slog.Logger, errorType string, err error) {
	if err != nil {
		Exit(log, errorType, err)
	}
}

// errorRequest is the Runtime API's ErrorRequest body.
type errorRequest struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	StackTrace   []string `json:"stackTrace"`
}

// Report posts err to http://<api>/2018-06-01/runtime/init/error with the
// error type in the body and in the Lambda-Runtime-Function-Error-Type
// header. Lambda answers 202 Accepted; anything else is an error.
func Report(ctx context.Context, client *http.Client, api, errorType string, err error) error {
	body, merr := json.Marshal(errorRequest{ErrorMessage: err.Error(), ErrorType: errorType, StackTrace: []string{}})
	if merr != nil {
		return fmt.Errorf("init error: %w", merr)
	}
	req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return fmt.Errorf("init error: %w", rerr)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", errorType)
	resp, derr := client.Do(req)
	if derr != nil {
		return fmt.Errorf("init error: %w", derr)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("init error: the Runtime API answered %s", resp.Status)
	}
	return nil
}
