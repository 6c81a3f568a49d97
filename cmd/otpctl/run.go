package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing/ssmparam"
)

// store reads and writes the parameter.
type store struct {
	ssmparam.Reader
	ssmparam.Writer
}

// paramStore is what the commands need of the parameter store.
type paramStore interface {
	Parameter(ctx context.Context, name string) (string, error)
	Put(ctx context.Context, name, value string) (int64, error)
}

const usage = `usage: otpctl routing [-parameter NAME] [-providers LIST] [-routes ROUTES] COMMAND

commands:
  show                 print the routing parameter and whether the worker accepts it
  set JSON|-           validate and write a whole plan (- reads it from stdin)
  disable PROVIDER     add PROVIDER to "disabled" (validated, then written)
  enable PROVIDER      remove PROVIDER from "disabled"

-parameter defaults to $SMS_ROUTING_PARAMETER. -providers and -routes are
the worker's environment plan, required, default $SMS_PROVIDERS and
$SMS_ROUTES (e.g. twilio,sns and IN=twilio;BR=twilio,sns): a value is
laid over that plan and checked with the worker's own rules, so what
otpctl writes the worker accepts. A route whose every provider is
disabled falls back to the providers' order. A plan is JSON, e.g.
  {"providers":["sns","twilio"],"routes":{"BR":["twilio","sns"]},
   "disabled":["twilio"],"rates":{"sns":20},"measured":false}
`

// run is the command; it returns the exit code (2 for usage or a bad
// environment plan, 1 for a refused value or a failed call).
func run(ctx context.Context, args []string, getenv func(string) string, ps paramStore, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "routing" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("otpctl routing", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	name := fs.String("parameter", getenv(routing.EnvParameter), "the SSM parameter")
	providers := fs.String("providers", getenv(channel.EnvProviders), "the worker's SMS_PROVIDERS")
	routes := fs.String("routes", getenv(channel.EnvRoutes), "the worker's SMS_ROUTES")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	rest := fs.Args()
	if *name == "" || len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	base, err := envPlan(*providers, *routes)
	if err != nil {
		fmt.Fprintf(stderr, "otpctl: the worker's plan (-providers, -routes): %v\n", err)
		return 2
	}
	c := cmd{ctx: ctx, ps: ps, name: *name, base: base, known: base.Names(), out: stdout}
	switch {
	case rest[0] == "show" && len(rest) == 1:
		err = c.show()
	case rest[0] == "set" && len(rest) == 2:
		err = c.set(rest[1], stdin)
	case (rest[0] == "disable" || rest[0] == "enable") && len(rest) == 2:
		err = c.toggle(strings.ToLower(rest[1]), rest[0] == "disable")
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "otpctl:", err)
		return 1
	}
	return 0
}

// envPlan reads the worker's environment plan with the worker's own parser
// and rules (routing.PlanFromEnv, routing.CheckEnv).
func envPlan(providers, routes string) (routing.Plan, error) {
	vals := map[string]string{channel.EnvProviders: providers, channel.EnvRoutes: routes}
	e := config.New(func(k string) string { return vals[k] })
	p := routing.PlanFromEnv(e, true)
	routing.CheckEnv(e, p)
	return p, e.Err()
}

type cmd struct {
	ctx   context.Context
	ps    paramStore
	name  string
	base  routing.Plan // the worker's environment plan
	known []string     // the providers the worker builds from it
	out   io.Writer
}

// show prints the value and the verdict the worker would reach.
func (c cmd) show() error {
	raw, err := c.ps.Parameter(c.ctx, c.name)
	if errors.Is(err, routing.ErrNoParameter) {
		fmt.Fprintf(c.out, "%s does not exist: the environment's plan is in force\n", c.name)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s:\n%s\n", c.name, raw)
	if _, err := c.check(raw); err != nil {
		fmt.Fprintf(c.out, "REFUSED by the worker (it keeps its last good plan):\n%v\n", err)
		return nil
	}
	fmt.Fprintln(c.out, "valid")
	return nil
}

// set writes a whole plan after checking it.
func (c cmd) set(arg string, stdin io.Reader) error {
	if arg == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, routing.MaxPlanBytes+1))
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		arg = string(b)
	}
	p, err := c.check(arg)
	if err != nil {
		return fmt.Errorf("not written: %w", err)
	}
	return c.write(p)
}

// toggle disables or enables one provider in the current plan.
func (c cmd) toggle(provider string, disable bool) error {
	raw, err := c.ps.Parameter(c.ctx, c.name)
	switch {
	case errors.Is(err, routing.ErrNoParameter):
		raw = "{}"
	case err != nil:
		return err
	}
	p, err := c.check(raw)
	if err != nil {
		return fmt.Errorf("the current value is refused; fix it with set: %w", err)
	}
	if !slices.Contains(c.known, provider) {
		return fmt.Errorf("not written: %q is not a provider (%s)", provider, strings.Join(c.known, ", "))
	}
	p.Disabled = slices.DeleteFunc(p.Disabled, func(n string) bool { return n == provider })
	if disable {
		p.Disabled = append(p.Disabled, provider)
	}
	if len(p.Disabled) == 0 {
		p.Disabled = nil
	}
	b, _ := json.Marshal(p)
	if p, err = c.check(string(b)); err != nil {
		return fmt.Errorf("not written: %w", err)
	}
	return c.write(p)
}

// check parses raw as the worker does and applies the worker's rule to
// the plan it makes over the environment's (routing.CheckOver); it returns
// the value as parsed, to write.
func (c cmd) check(raw string) (routing.Plan, error) {
	p, err := routing.ParseJSON([]byte(raw))
	if err != nil {
		return routing.Plan{}, err
	}
	_, err = routing.CheckOver(c.base, p, c.known)
	return p, err
}

func (c cmd) write(p routing.Plan) error {
	b, _ := json.Marshal(p)
	v, err := c.ps.Put(c.ctx, c.name, string(b))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s version %d:\n%s\nworkers apply it within SMS_ROUTING_PARAMETER_TTL (30s by default)\n", c.name, v, b)
	return nil
}
