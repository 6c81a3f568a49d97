package idp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Cognito's contract with a trigger: it must answer within 5 s; a call that
// times out is retried, at most three attempts in all; an error the function
// returns is not retried and reaches the client as
// UserLambdaValidationException "<Trigger> failed with error <message>.".
const (
	DefaultTriggerTimeout  = 5 * time.Second
	DefaultTriggerAttempts = 3
)

// Handler is a trigger's Lambda handler, e.g. (*triggers.Create).Handle.
type Handler[E any] func(context.Context, E) (E, error)

// Triggers are the pool's Lambda triggers. PreSignUp and PostAuthentication
// may be nil (the pool has none); the three custom-auth ones are required.
type Triggers struct {
	PreSignUp          Handler[events.CognitoEventUserPoolsPreSignup]
	Define             Handler[events.CognitoEventUserPoolsDefineAuthChallenge]
	Create             Handler[events.CognitoEventUserPoolsCreateAuthChallenge]
	Verify             Handler[events.CognitoEventUserPoolsVerifyAuthChallenge]
	PostAuthentication Handler[events.CognitoEventUserPoolsPostAuthentication]
	// CustomSMSSender delivers the pool's own SMS (here: sign-up
	// confirmation codes); required with Config.AutoVerifyPhone.
	CustomSMSSender Handler[CustomSMSEvent]
}

// Trigger names as Cognito writes them in its error messages.
const (
	namePreSignUp  = "PreSignUp"
	nameDefine     = "DefineAuthChallenge"
	nameCreate     = "CreateAuthChallenge"
	nameVerify     = "VerifyAuthChallengeResponse"
	namePostAuth   = "PostAuthentication"
	callerSDK      = "aws-sdk-unknown-unknown"
	eventVersion   = "1"
	timeoutMessage = "Socket timeout while invoking Lambda function"
)

// invoker runs triggers as Cognito does.
type invoker struct {
	timeout  time.Duration
	attempts int
	log      *slog.Logger
}

// invoke calls h with ev under the 5 s limit and retry rule. The event and
// the answer each go through JSON, as they do on the way to and from
// Lambda, so a handler sees exactly what it would see deployed.
func invoke[E any](ctx context.Context, inv invoker, name string, h Handler[E], ev E) (E, *apiError) {
	var zero E
	in, err := json.Marshal(ev)
	if err != nil {
		return zero, errorf(errInternal, "encode %s event: %v", name, err)
	}
	for attempt := 1; ; attempt++ {
		out, err, timedOut := call(ctx, inv.timeout, h, in)
		switch {
		case timedOut && attempt < inv.attempts && ctx.Err() == nil:
			inv.log.Warn("trigger timed out; retrying", "trigger", name, "attempt", attempt, "timeout", inv.timeout)
			continue
		case timedOut:
			inv.log.Error("trigger timed out", "trigger", name, "attempts", attempt)
			return zero, errorf(errUnexpectedLambda, "%s invocation failed due to error %s.", name, timeoutMessage)
		case err != nil:
			return zero, errorf(errLambdaValidation, "%s failed with error %s.", name, err.Error())
		}
		var res E
		if err := json.Unmarshal(out, &res); err != nil {
			return zero, errorf(errInvalidLambda, "Unrecognizable lambda output")
		}
		return res, nil
	}
}

// call runs one attempt. A handler that outlives the limit is abandoned, as
// Cognito abandons a Lambda invocation: its context is cancelled and its
// result dropped.
func call[E any](ctx context.Context, timeout time.Duration, h Handler[E], in []byte) (out []byte, err error, timedOut bool) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				// A panicking Go Lambda reports a function error.
				done <- result{err: fmt.Errorf("%v", p)}
			}
		}()
		var ev E
		if err := json.Unmarshal(in, &ev); err != nil {
			done <- result{err: fmt.Errorf("decode event: %w", err)}
			return
		}
		res, err := h(ctx, ev)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, err := json.Marshal(res)
		done <- result{out: b, err: err}
	}()
	select {
	case r := <-done:
		if r.err != nil && errors.Is(r.err, context.DeadlineExceeded) && ctx.Err() != nil {
			return nil, nil, true
		}
		return r.out, r.err, false
	case <-ctx.Done():
		return nil, nil, true
	}
}
