package signin

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Exit codes of Run.
const (
	ExitOK     = 0 // signed in
	ExitFailed = 1 // the sign-in failed or was refused
	ExitUsage  = 2 // bad flags or arguments
)

// Run runs `otp-local signin <phone> [flags]`; args are the arguments after
// "signin". It reads codes from stdin (unless --code is given), writes what a
// user should see to stdout and errors to stderr, and returns an exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunEnv(ctx, args, stdin, stdout, stderr, os.Getenv)
}

// RunEnv is Run with the environment it reads (OTP_LOCAL_CLIENT_ID) given.
func RunEnv(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	opts, err := parseArgs(args, getenv, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.Is(err, errUsagePrinted):
		return ExitUsage
	case err != nil:
		fmt.Fprintf(stderr, "signin: %v\nRun 'otp-local signin -h' for usage.\n", err)
		return ExitUsage
	}
	s := newSigner(opts, http.DefaultClient, rand.Reader, stdin, stdout)
	if err := s.run(ctx); err != nil {
		report(stderr, err, opts.endpoint)
		return ExitFailed
	}
	return ExitOK
}

// signer runs one sign-in.
type signer struct {
	opts    options
	cognito *cip.Client
	http    *http.Client // for the JWKS; the same one the SDK uses
	random  io.Reader    // for the throwaway password
	codes   *codeSource
	out     io.Writer
}

func newSigner(opts options, hc *http.Client, random io.Reader, stdin io.Reader, stdout io.Writer) *signer {
	return &signer{
		opts:    opts,
		cognito: newCognito(opts, hc),
		http:    hc,
		random:  random,
		codes:   newCodeSource(opts.code, stdin, stdout),
		out:     stdout,
	}
}

// run signs up (unless told not to), signs in and shows the result.
func (s *signer) run(ctx context.Context) error {
	if !s.opts.noSignUp {
		if err := s.signUp(ctx); err != nil {
			return err
		}
	}
	r, err := s.initiate(ctx)
	if err != nil {
		return err
	}
	res, err := s.answer(ctx, r)
	if err != nil {
		return err
	}
	return s.showResult(ctx, res)
}

// answer asks for a code and sends it until Cognito returns tokens or fails
// the sign-in. A wrong code is not an error: Cognito answers with another
// round and a new session, and the same code stays valid.
func (s *signer) answer(ctx context.Context, r round) (*types.AuthenticationResultType, error) {
	for sent := 0; r.result == nil; sent++ {
		if sent > 0 {
			if !s.codes.interactive() {
				return nil, errWrongFixedCode
			}
			fmt.Fprintf(s.out, "Wrong code, try again (the code expires in %s).\n", secondsParam(r.params, "expiresIn"))
		}
		length, _ := strconv.Atoi(r.params["codeLength"])
		code, err := s.codes.next(ctx, length)
		if err != nil {
			return nil, err
		}
		next, err := s.respond(ctx, r, code)
		if isIncorrect(err) {
			// Define failed the sign-in after this wrong answer.
			return nil, errCodesSpent{answers: sent + 1}
		}
		if err != nil {
			return nil, err
		}
		r = next
	}
	return r.result, nil
}

// isIncorrect reports Cognito's answer to a sign-in that Define failed.
func isIncorrect(err error) bool {
	var e *types.NotAuthorizedException
	return errors.As(err, &e) && e.ErrorMessage() == "Incorrect username or password."
}
