package coldstart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/runtimeapi"
)

// Spec is a function to start: its binary and its whole environment
// (AWS_LAMBDA_RUNTIME_API is added).
type Spec struct {
	Binary string
	Env    []string
	Output io.Writer // the function's stdout and stderr; nil discards them
}

// InitFailure is a start that never reached its first /next.
type InitFailure struct {
	Reported bool   // through /init/error, as Lambda expects
	Message  string // the reported error, or how the process ended
}

func (f *InitFailure) Error() string {
	if f.Reported {
		return "init/error: " + f.Message
	}
	return "ended before its first /next, without /init/error: " + f.Message
}

// Instance is a started function.
type Instance struct {
	api    *runtimeapi.Server
	cmd    *exec.Cmd
	exited chan struct{}
	// Init is the time from process start to its first /next.
	Init time.Duration
	// InitUsage is what the process spent on its init (read at its first
	// /next); zero where /proc is not readable.
	InitUsage Usage
}

// Start runs the binary and waits for its init to end. A function that
// reports /init/error or exits first gives an *InitFailure, and is stopped.
func Start(ctx context.Context, spec Spec) (*Instance, error) {
	api, err := runtimeapi.New(runtimeapi.Config{})
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(spec.Binary)
	cmd.Env = append(append([]string{}, spec.Env...), "AWS_LAMBDA_RUNTIME_API="+api.Addr())
	cmd.Stdout, cmd.Stderr = spec.Output, spec.Output
	i := &Instance{api: api, cmd: cmd, exited: make(chan struct{})}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		api.Close()
		return nil, fmt.Errorf("start %s: %w", spec.Binary, err)
	}
	go func() { cmd.Wait(); close(i.exited) }()
	select {
	case <-api.Ready():
		i.Init = api.FirstPoll().Sub(start)
		i.InitUsage, _ = readUsage(cmd.Process.Pid)
		return i, nil
	case fe := <-api.InitError():
		i.Stop()
		return nil, &InitFailure{Reported: true, Message: fe.Message}
	case <-i.exited:
		api.Close()
		// A runtime reports /init/error and then exits: both may be ready.
		select {
		case fe := <-api.InitError():
			return nil, &InitFailure{Reported: true, Message: fe.Message}
		default:
		}
		return nil, &InitFailure{Message: cmd.ProcessState.String()}
	case <-ctx.Done():
		i.Stop()
		return nil, fmt.Errorf("init of %s: %w", spec.Binary, ctx.Err())
	}
}

// Invoke hands the function one event and waits for its answer.
func (i *Instance) Invoke(ctx context.Context, event []byte) (runtimeapi.Result, error) {
	select {
	case <-i.exited:
		return runtimeapi.Result{}, errors.New("function exited")
	default:
	}
	return i.api.Invoke(ctx, event)
}

// Stop kills the process and returns its peak resident set in bytes (0
// where /proc is not readable). It is the process's own high-water mark
// (VmHWM), read before the kill: the child's rusage Maxrss is not, because
// os/exec starts it with vfork and Linux carries the parent's peak over to
// the child at exec, so it reported this benchmark's own RSS.
func (i *Instance) Stop() int64 {
	u, _ := readUsage(i.cmd.Process.Pid)
	i.cmd.Process.Kill()
	<-i.exited
	i.api.Close()
	return u.PeakRSS
}

// Sample is one cold start.
type Sample struct {
	Init, Invoke time.Duration
	InitUsage    Usage
	MaxRSS       int64
	Result       runtimeapi.Result
}

// Measure starts the function, invokes it once with event, and stops it.
func Measure(ctx context.Context, spec Spec, event []byte) (Sample, error) {
	inst, err := Start(ctx, spec)
	if err != nil {
		return Sample{}, err
	}
	res, err := inst.Invoke(ctx, event)
	rss := inst.Stop()
	if err != nil {
		return Sample{}, err
	}
	return Sample{Init: inst.Init, Invoke: res.Duration(), InitUsage: inst.InitUsage, MaxRSS: rss, Result: res}, nil
}
