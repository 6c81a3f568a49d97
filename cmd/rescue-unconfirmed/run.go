package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // a call failed, or some user could not be confirmed
	exitRefused = 2 // bad flags, or the pool is unsafe to rescue
)

// connectFunc returns the Cognito API for a region and an optional endpoint
// ("" for each means the AWS defaults).
type connectFunc func(ctx context.Context, region, endpoint string) (userpool.API, error)

// run is the whole command: it reports to stdout for people and logs
// problems as JSON to stderr, never with a full phone number, and returns
// the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, connect connectFunc) int {
	log := slog.New(slog.NewJSONHandler(stderr, nil))

	fs := flag.NewFlagSet("rescue-unconfirmed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	poolID := fs.String("pool-id", "", "user pool ID (required), e.g. us-east-1_AbC123")
	apply := fs.Bool("apply", false, "confirm the users; without it, only report what would be done")
	region := fs.String("region", "", "AWS region (default: from the AWS configuration)")
	endpoint := fs.String("endpoint", "", "Cognito endpoint URL, for a local stack or tests (default: AWS)")
	duplicates := fs.Bool("duplicates", false, "only list phone numbers not in canonical E.164 or held by more than one user; changes nothing")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: rescue-unconfirmed -pool-id ID [-apply | -duplicates] [-region R] [-endpoint URL]")
		fmt.Fprintln(fs.Output(), "Confirms UNCONFIRMED users with a phone number, once the pool is shown to have no password path.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitRefused
	}
	if *poolID == "" || fs.NArg() > 0 || *apply && *duplicates {
		fmt.Fprintln(stderr, "rescue-unconfirmed: -pool-id is required, -apply and -duplicates exclude each other, and no arguments are accepted")
		fs.Usage()
		return exitRefused
	}

	api, err := connect(ctx, *region, *endpoint)
	if err != nil {
		log.Error("connect to Cognito", "err", err)
		return exitFailed
	}
	pool := userpool.New(api)
	if *duplicates {
		return listDuplicates(ctx, pool, *poolID, stdout, log)
	}

	if !*apply {
		fmt.Fprintln(stdout, "DRY RUN: nothing will be changed. Re-run with -apply to confirm the users listed below.")
	}

	err = pool.CheckRescueSafe(ctx, *poolID)
	var unsafe *userpool.UnsafeError
	switch {
	case errors.As(err, &unsafe):
		fmt.Fprintf(stdout, "REFUSED: user pool %s is not safe to rescue; no user was changed.\n", *poolID)
		for _, r := range unsafe.Reasons {
			fmt.Fprintf(stdout, "  - %s\n", r)
		}
		fmt.Fprintln(stdout, "Why: every one of these users has a random password from sign-up that nobody knows.")
		fmt.Fprintln(stdout, "Confirming makes the account live, and while a password sign-in flow or self-service")
		fmt.Fprintln(stdout, "password recovery exists, that password can be used or reset: a second way in that")
		fmt.Fprintln(stdout, "skips the SMS code. Set account recovery to admin_only, limit every app client to")
		fmt.Fprintln(stdout, "ALLOW_CUSTOM_AUTH and ALLOW_REFRESH_TOKEN_AUTH, and run again.")
		log.Warn("rescue refused: pool unsafe", "pool_id", *poolID, "reasons", len(unsafe.Reasons))
		return exitRefused
	case err != nil:
		log.Error("check pool", "pool_id", *poolID, "err", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "pool %s: safe to rescue (admin-only recovery, no password sign-in flow)\n", *poolID)

	users, err := pool.UnconfirmedWithPhone(ctx, *poolID)
	if err != nil {
		log.Error("list unconfirmed users", "pool_id", *poolID, "err", err)
		return exitFailed
	}

	if !*apply {
		for _, u := range users {
			fmt.Fprintf(stdout, "would confirm  %s\n", describe(u))
		}
		fmt.Fprintf(stdout, "DRY RUN summary: %d unconfirmed user(s) with a phone number would be confirmed; nothing was changed.\n", len(users))
		return exitOK
	}

	fmt.Fprintf(stdout, "APPLY: confirming %d user(s) in pool %s.\n", len(users), *poolID)
	confirmed, failed := 0, 0
	for i, u := range users {
		if ctx.Err() != nil {
			fmt.Fprintf(stdout, "stopped: %v; %d user(s) not attempted\n", ctx.Err(), len(users)-i)
			failed += len(users) - i
			break
		}
		if err := pool.Confirm(ctx, *poolID, u.Username); err != nil {
			failed++
			fmt.Fprintf(stdout, "FAILED         %s: %v\n", describe(u), err)
			log.Error("confirm user", "pool_id", *poolID, "user", userpool.SafeUsername(u.Username),
				"phone", phone.Mask(u.Phone), "err", err)
			continue
		}
		confirmed++
		fmt.Fprintf(stdout, "confirmed      %s\n", describe(u))
	}
	fmt.Fprintf(stdout, "summary: %d unconfirmed user(s) with a phone number, %d confirmed, %d failed\n", len(users), confirmed, failed)
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// describe renders a user for the report, phone masked.
func describe(u userpool.User) string {
	created := "unknown"
	if !u.Created.IsZero() {
		created = u.Created.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("user=%s phone=%s created=%s", userpool.SafeUsername(u.Username), phone.Mask(u.Phone), created)
}
