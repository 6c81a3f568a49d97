package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
)

// Outcome is how one sign-in ended.
type Outcome struct {
	// Kind is "ok" (tokens), "refused" (an answer docs/triggers.md and
	// docs/app-developers.md document) or "failed" (anything else: lost).
	Kind string
	// Code is the refusal's code (OTP_RATE_LIMITED, NotAuthorizedException)
	// or what failed.
	Code string
}

var (
	signedIn = Outcome{Kind: "ok"}
	otpCode  = regexp.MustCompile(`\bOTP_[A-Z_]+\b`)
)

func refused(code string) Outcome { return Outcome{Kind: "refused", Code: code} }

func failed(format string, a ...any) Outcome {
	return Outcome{Kind: "failed", Code: fmt.Sprintf(format, a...)}
}

// client is one person's app: the AWS SDK's Cognito client against the
// stack, with a share of the behaviours the soak asks for.
type client struct {
	cip       *cip.Client
	clientID  string
	sms       *smsBook
	rnd       *rand.Rand
	cfg       Config
	lastWrite func(phone string) time.Time
	last      string // the number of the sign-in in hand, masked
}

func newClient(url, clientID string, hc *http.Client, sms *smsBook, lastWrite func(string) time.Time, seed uint64, cfg Config) *client {
	return &client{
		cip: cip.New(cip.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1, HTTPClient: hc,
			Credentials: credentials.NewStaticCredentialsProvider("soak", "soak", ""),
		}),
		clientID: clientID, sms: sms, lastWrite: lastWrite, rnd: rand.New(rand.NewPCG(seed, 7)), cfg: cfg,
	}
}

// signUp registers phone; one already registered is fine.
func (c *client) signUp(ctx context.Context, number string) (Outcome, bool) {
	c.last = phone.Mask(number)
	_, err := c.cip.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(c.clientID), Username: aws.String(number),
		Password: aws.String("soak-password-nobody-keeps-0123456789"),
	})
	var exists *types.UsernameExistsException
	if err == nil || errors.As(err, &exists) {
		return Outcome{}, true
	}
	return classify("SignUp", err), false
}

// tries is how many times a person taps "sign in" before giving up.
const tries = 5

// signIn runs one sign-in to its end. After OTP_UNAVAILABLE, or when no
// SMS came, the person taps "sign in" again, up to tries times in all.
func (c *client) signIn(ctx context.Context, number string, registered bool) Outcome {
	c.last = phone.Mask(number)
	var out Outcome
	for try := range tries {
		var wait time.Duration
		out, wait = c.round(ctx, number, registered)
		if out.Kind != "retry" {
			return out
		}
		if try < tries-1 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return failed("stopped: %v", ctx.Err())
			}
		}
	}
	if out.Code == "no SMS" {
		return failed("no SMS after %d tries", tries)
	}
	return refused(out.Code)
}

// round is one InitiateAuth and its answers. A "retry" outcome comes with
// how long to wait before the next try.
func (c *client) round(ctx context.Context, phone string, registered bool) (Outcome, time.Duration) {
	ch, err := c.initiate(ctx, phone)
	if err != nil {
		return retryable(classify("InitiateAuth", err))
	}
	if c.rnd.Float64() < c.cfg.ResendShare {
		// The person taps "resend": within the cooldown, the same code and
		// no SMS; the newest session is the one to answer.
		if ch, err = c.initiate(ctx, phone); err != nil {
			return retryable(classify("InitiateAuth (resend)", err))
		}
	}
	if !registered {
		return c.answerUnknown(ctx, ch), 0
	}
	code, ok := c.code(ctx, phone)
	if !ok {
		// Within the cooldown a new try gets the same code and no SMS.
		return Outcome{Kind: "retry", Code: "no SMS"}, resendAfter(ch)
	}
	if c.rnd.Float64() < c.cfg.WrongShare {
		if ch, err = c.answer(ctx, ch, wrong(code)); err != nil {
			return retryable(classify("RespondToAuthChallenge (wrong)", err))
		}
		if ch.AuthenticationResult != nil {
			return failed("tokens for a wrong code"), 0
		}
	}
	res, err := c.answer(ctx, ch, code)
	for tried := []string{code}; err == nil && res.AuthenticationResult == nil; {
		// An older code's SMS can come after the newest challenge was
		// written (a carrier's delay, a send retried after its answer was
		// lost): the person tries the other SMS that came since, or waits
		// for one, as people do. Wrong only when none of them is right.
		other, ok := c.code(ctx, phone, tried...)
		if !ok {
			return failed("right code judged wrong"), 0
		}
		tried = append(tried, other)
		res, err = c.answer(ctx, res, other)
	}
	if err != nil {
		return retryable(classify("RespondToAuthChallenge", err))
	}
	return signedIn, 0
}

// code is the code to answer with: the SMS that followed the newest
// challenge written for the number, as a person uses the latest SMS. The
// app cannot tell a new code from a reused one (the public parameters are
// the same), so the soak asks its store wrapper when the newest was
// written; an older code's SMS that comes late (a redelivery) is not taken.
func (c *client) code(ctx context.Context, phone string, tried ...string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SMSWait)
	defer cancel()
	return c.sms.wait(ctx, phone, c.lastWrite(phone), tried)
}

// answerUnknown answers an unregistered number's challenge with codes until
// the pool refuses: no SMS can have told it one.
func (c *client) answerUnknown(ctx context.Context, ch challenge) Outcome {
	for range 4 {
		res, err := c.answer(ctx, ch, wrong(fmt.Sprintf("%06d", c.rnd.IntN(1_000_000))))
		if err != nil {
			o := classify("RespondToAuthChallenge (unknown number)", err)
			if o.Code == "OTP_UNAVAILABLE" {
				return refused(o.Code)
			}
			return o
		}
		if res.AuthenticationResult != nil {
			return failed("tokens for an unregistered number")
		}
		ch = res
	}
	return failed("an unregistered number was never refused")
}

// challenge is what the client holds between calls.
type challenge struct {
	session, username    string
	params               map[string]string
	AuthenticationResult *types.AuthenticationResultType
}

func (c *client) initiate(ctx context.Context, phone string) (challenge, error) {
	out, err := c.cip.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(c.clientID), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": phone},
	})
	if err != nil {
		return challenge{}, err
	}
	if out.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		return challenge{}, fmt.Errorf("challenge %q, want CUSTOM_CHALLENGE", out.ChallengeName)
	}
	return challenge{session: aws.ToString(out.Session), username: out.ChallengeParameters["USERNAME"], params: out.ChallengeParameters}, nil
}

func (c *client) answer(ctx context.Context, ch challenge, code string) (challenge, error) {
	out, err := c.cip.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(c.clientID), ChallengeName: types.ChallengeNameTypeCustomChallenge,
		Session:            aws.String(ch.session),
		ChallengeResponses: map[string]string{"USERNAME": ch.username, "ANSWER": code},
	})
	if err != nil {
		return challenge{}, err
	}
	return challenge{
		session: aws.ToString(out.Session), username: ch.username, params: out.ChallengeParameters,
		AuthenticationResult: out.AuthenticationResult,
	}, nil
}

// classify maps an error to a documented refusal, or a failure.
func classify(call string, err error) Outcome {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return failed("%s: %v", call, err)
	}
	switch api.ErrorCode() {
	case "NotAuthorizedException":
		return refused("NotAuthorizedException")
	case "UserLambdaValidationException":
		if code := otpCode.FindString(api.ErrorMessage()); code != "" {
			return refused(code)
		}
	}
	return failed("%s: %s", call, api.ErrorCode())
}

// retryable turns OTP_UNAVAILABLE into a new try; other outcomes end the
// sign-in.
func retryable(o Outcome) (Outcome, time.Duration) {
	if o.Kind == "refused" && o.Code == "OTP_UNAVAILABLE" {
		return Outcome{Kind: "retry", Code: o.Code}, 0
	}
	return o, 0
}

func resendAfter(ch challenge) time.Duration {
	s, _ := strconv.Atoi(ch.params["resendAfter"])
	return time.Duration(s)*time.Second + 100*time.Millisecond
}

// wrong is a code of the same length that is not code.
func wrong(code string) string {
	b := []byte(code)
	for i := range b {
		if b[i] >= '0' && b[i] <= '9' {
			b[i] = '0' + (b[i]-'0'+1)%10
		}
	}
	return string(b)
}
