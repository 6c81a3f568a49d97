package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

type demo struct {
	out       io.Writer
	presignup *presignup.PreSignUp
	define    *triggers.Define
	create    *triggers.Create
	verify    *triggers.Verify
	queue     *queue.Mem
	keys      *otp.KeySource
	worker    *worker.Worker
	header    events.CognitoEventUserPoolsHeader
	attrs     map[string]string
	last      string // the code of the last SMS, for -auto on a reused challenge
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("otp-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	phoneNumber := fs.String("phone", "+14155550123", "phone number to sign in with, in E.164")
	auto := fs.Bool("auto", false, "answer the code automatically instead of reading it from stdin")
	verbose := fs.Bool("v", false, "show the triggers' JSON logs on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	d, err := newDemo(stdout, stderr, *phoneNumber, *verbose)
	if err != nil {
		fmt.Fprintln(stderr, "otp-demo:", err)
		return 1
	}
	if err := d.signIn(ctx, bufio.NewReader(stdin), *auto); err != nil {
		fmt.Fprintln(stderr, "otp-demo:", err)
		return 1
	}
	return 0
}

func newDemo(stdout, stderr io.Writer, phoneNumber string, verbose bool) (*demo, error) {
	log := slog.New(slog.DiscardHandler)
	if verbose {
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	}
	// A fresh random secret per run: the demo keeps nothing.
	secret := make([]byte, 32)
	rand.Read(secret)
	d := &demo{
		out:   stdout,
		queue: queue.NewMem(16),
		keys:  otp.NewKeySource(otp.StaticSecret(fmt.Appendf(nil, "%x", secret))),
		header: events.CognitoEventUserPoolsHeader{
			Version: "1", Region: "us-east-1", UserPoolID: "us-east-1_demo",
			UserName:      "6d0c2a3e-0000-4000-8000-000000000001",
			CallerContext: events.CognitoEventUserPoolsCallerContext{ClientID: "demo-client"},
		},
		attrs: map[string]string{"phone_number": phoneNumber},
	}
	cfg := triggers.DefaultConfig()
	env := triggers.Env{Log: log}
	store := mem.New(nil)
	var err error
	// The number enters here, as at a real sign-up: PreSignUp judges it by
	// the whole numbering plan; Create only checks its shape and country.
	d.presignup = presignup.New(cfg.Phone, env)
	if d.define, err = triggers.NewDefine(cfg.Policy.MaxAttempts, env); err != nil {
		return nil, err
	}
	if d.create, err = triggers.NewCreate(cfg, store, d.queue, d.keys, env); err != nil {
		return nil, err
	}
	if d.verify, err = triggers.NewVerify(cfg, store, d.keys, env); err != nil {
		return nil, err
	}
	// The real SMS worker, sending through the console provider.
	text, err := smstext.New(nil, "", "")
	if err != nil {
		return nil, err
	}
	sms, err := console.New(prefixed{stdout}, "")
	if err != nil {
		return nil, err
	}
	if d.worker, err = worker.New(worker.DefaultConfig(), store, d.keys, text, providers.Single{Provider: sms}, worker.Prices{}, worker.Env{Log: log}); err != nil {
		return nil, err
	}
	return d, nil
}

// headerFor is the event header Cognito sends with triggerSource source.
func (d *demo) headerFor(source string) events.CognitoEventUserPoolsHeader {
	h := d.header
	h.TriggerSource = source
	return h
}

// signIn plays Cognito's part of a custom-auth sign-in, round by round.
func (d *demo) signIn(ctx context.Context, in *bufio.Reader, auto bool) error {
	fmt.Fprintln(d.out, "cognito-phone-otp demo: the real triggers and SMS worker, an in-memory store and queue, no AWS.")
	if _, err := d.presignup.Handle(ctx, events.CognitoEventUserPoolsPreSignup{
		CognitoEventUserPoolsHeader: d.headerFor("PreSignUp_SignUp"),
		Request:                     events.CognitoEventUserPoolsPreSignupRequest{UserAttributes: d.attrs},
	}); err != nil {
		return fmt.Errorf("PreSignUp failed with error %w", err)
	}
	fmt.Fprintln(d.out, "PreSignUp                    -> signed up and confirmed")
	var session []*events.CognitoEventUserPoolsChallengeResult
	for round := 1; ; round++ {
		def, err := d.define.Handle(ctx, events.CognitoEventUserPoolsDefineAuthChallenge{
			CognitoEventUserPoolsHeader: d.headerFor("DefineAuthChallenge_Authentication"),
			Request:                     events.CognitoEventUserPoolsDefineAuthChallengeRequest{UserAttributes: d.attrs, Session: session},
		})
		if err != nil {
			return fmt.Errorf("DefineAuthChallenge: %w", err)
		}
		switch {
		case def.Response.IssueTokens:
			fmt.Fprintln(d.out, "DefineAuthChallenge          -> issue tokens: signed in.")
			return nil
		case def.Response.FailAuthentication:
			fmt.Fprintln(d.out, "DefineAuthChallenge          -> fail: too many wrong answers.")
			return errors.New("sign-in failed")
		}
		fmt.Fprintf(d.out, "DefineAuthChallenge          -> %s (round %d)\n", def.Response.ChallengeName, round)
		result, err := d.round(ctx, session, in, auto)
		if err != nil {
			return err
		}
		session = append(session, result)
	}
}

// round runs Create, shows the SMS, takes an answer and runs Verify.
func (d *demo) round(ctx context.Context, session []*events.CognitoEventUserPoolsChallengeResult, in *bufio.Reader, auto bool) (*events.CognitoEventUserPoolsChallengeResult, error) {
	cr, err := d.create.Handle(ctx, events.CognitoEventUserPoolsCreateAuthChallenge{
		CognitoEventUserPoolsHeader: d.headerFor("CreateAuthChallenge_Authentication"),
		Request: events.CognitoEventUserPoolsCreateAuthChallengeRequest{
			UserAttributes: d.attrs, ChallengeName: triggers.ChallengeName, Session: session,
		},
	})
	if err != nil {
		// Cognito would answer UserLambdaValidationException with this text.
		return nil, fmt.Errorf("CreateAuthChallenge failed with error %w", err)
	}
	p := cr.Response.PublicChallengeParameters
	fmt.Fprintf(d.out, "CreateAuthChallenge          -> code for %s: %s digits, expires in %ss, resend after %ss\n",
		p[triggers.ParamMaskedPhone], p[triggers.ParamCodeLength], p[triggers.ParamExpiresIn], p[triggers.ParamResendAfter])
	code, err := d.deliver()
	if err != nil {
		return nil, err
	}
	answer := code
	if !auto {
		fmt.Fprint(d.out, "Enter the code: ")
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return nil, fmt.Errorf("read the code from stdin (or run with -auto): %w", err)
		}
		answer = strings.TrimSpace(line)
	}
	vr, err := d.verify.Handle(ctx, events.CognitoEventUserPoolsVerifyAuthChallenge{
		CognitoEventUserPoolsHeader: d.headerFor("VerifyAuthChallengeResponse_Authentication"),
		Request: events.CognitoEventUserPoolsVerifyAuthChallengeRequest{
			UserAttributes: d.attrs, PrivateChallengeParameters: cr.Response.PrivateChallengeParameters, ChallengeAnswer: answer,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("VerifyAuthChallengeResponse failed with error %w", err)
	}
	verdict := "wrong"
	if vr.Response.AnswerCorrect {
		verdict = "correct"
	}
	fmt.Fprintf(d.out, "VerifyAuthChallengeResponse  -> %s\n", verdict)
	return &events.CognitoEventUserPoolsChallengeResult{
		ChallengeName: triggers.ChallengeName, ChallengeResult: vr.Response.AnswerCorrect, ChallengeMetadata: cr.Response.ChallengeMetadata,
	}, nil
}

// deliver runs the SMS worker on any new message on the queue; the console
// provider prints the SMS. A reused challenge sends nothing. The code is
// also opened here, so -auto can answer it.
func (d *demo) deliver() (string, error) {
	msgs := d.queue.Drain()
	if len(msgs) == 0 {
		fmt.Fprintln(d.out, "  (same code as before: no new SMS)")
		return d.last, nil
	}
	kr, err := d.keys.Keyring(context.Background())
	if err != nil {
		return "", err
	}
	for _, m := range msgs {
		fmt.Fprintf(d.out, "  SMS queue: message %s (code sealed, key %s)\n", m.MessageID[:8], m.KeyID)
		body, err := m.Encode()
		if err != nil {
			return "", err
		}
		if o := d.worker.Process(context.Background(), body); o.Reason != worker.ReasonSent {
			return "", fmt.Errorf("SMS worker: %s (%s)", o.Reason, o.Detail)
		}
		if d.last, err = m.OpenCode(kr); err != nil {
			return "", err
		}
	}
	return d.last, nil
}

// prefixed indents the console provider's lines under the step that sent them.
type prefixed struct{ w io.Writer }

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, "  "); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
