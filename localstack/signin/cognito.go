package signin

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// newCognito returns a client for the local stack (opts.endpoint) or for
// real AWS (opts.endpoint == "").
func newCognito(opts options, hc *http.Client) *cip.Client {
	o := cip.Options{
		Region: opts.region,
		// SignUp, InitiateAuth and RespondToAuthChallenge are unauthenticated
		// (the SDK resolves them to the anonymous auth scheme), so no
		// credentials are looked for, in the environment or anywhere else.
		Credentials: aws.AnonymousCredentials{},
		HTTPClient:  hc,
		// A retried answer could count as another attempt against the code;
		// one call per answer, and a failure is shown as it is.
		RetryMaxAttempts: 1,
	}
	if opts.endpoint != "" {
		o.BaseEndpoint = aws.String(opts.endpoint)
	}
	return cip.New(o)
}

// signUp registers the number with a password nobody keeps. The username
// is the number and fills phone_number; the app client may not write
// phone_number itself (docs/security.md), so no attribute is sent. An
// already registered number is not an error (docs/app-developers.md,
// section 1).
func (s *signer) signUp(ctx context.Context) error {
	password, err := randomPassword(s.random)
	if err != nil {
		return err
	}
	out, err := s.cognito.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(s.opts.clientID),
		Username: aws.String(s.opts.phone),
		Password: aws.String(password),
	})
	var exists *types.UsernameExistsException
	switch {
	case errors.As(err, &exists):
		fmt.Fprintf(s.out, "%s is already registered.\n", s.opts.phone)
	case err != nil:
		return fmt.Errorf("sign up: %w", err)
	case !out.UserConfirmed && out.CodeDeliveryDetails != nil:
		// A pool without auto-confirm (otp-local --confirm-sign-up-by-sms)
		// sent a sign-up code.
		d := out.CodeDeliveryDetails
		fmt.Fprintf(s.out, "Registered %s; a confirmation code was sent to %s by %s.\n", s.opts.phone, aws.ToString(d.Destination), d.DeliveryMedium)
		return s.confirm(ctx)
	case !out.UserConfirmed:
		// PreSignUp confirms every account; without it the sign-in below
		// fails with UserNotConfirmedException.
		fmt.Fprintf(s.out, "Registered %s, but the account is unconfirmed: is the PreSignUp trigger attached to the pool?\n", s.opts.phone)
	default:
		fmt.Fprintf(s.out, "Registered %s.\n", s.opts.phone)
	}
	return nil
}

// signUpCodeLength is the length of Cognito's confirmation codes.
const signUpCodeLength = 6

// errFixedConfirm: --code is the sign-in code; a confirmation code must be
// typed.
var errFixedConfirm = errors.New("the pool sent a sign-up confirmation code; run without --code to type it")

// confirm asks for the sign-up code until the pool confirms the account;
// a wrong code is asked again, and the pool bounds the tries
// (LimitExceededException), as it bounds an expired code.
func (s *signer) confirm(ctx context.Context) error {
	if !s.codes.interactive() {
		return errFixedConfirm
	}
	for {
		code, err := s.codes.next(ctx, signUpCodeLength)
		if err != nil {
			return err
		}
		_, err = s.cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(s.opts.clientID), Username: aws.String(s.opts.phone), ConfirmationCode: aws.String(code),
		})
		var mismatch *types.CodeMismatchException
		switch {
		case errors.As(err, &mismatch):
			fmt.Fprintln(s.out, "Wrong confirmation code, try again.")
		case err != nil:
			return fmt.Errorf("confirm sign-up: %w", err)
		default:
			fmt.Fprintf(s.out, "Confirmed %s.\n", s.opts.phone)
			return nil
		}
	}
}

// passwordBytes gives 28 base64url characters; with the 4-character suffix
// the password is 32 characters long.
const passwordBytes = 21

// randomPassword returns 32 random characters that nobody will ever type.
// The suffix holds one character of each class, so any password policy the
// pool has is met.
func randomPassword(random io.Reader) (string, error) {
	b := make([]byte, passwordBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b) + "Aa1!", nil
}

// round is where a sign-in stands after a call: either tokens, or a
// challenge to answer with its parameters and session.
type round struct {
	params  map[string]string
	session *string
	result  *types.AuthenticationResultType
}

func newRound(name types.ChallengeNameType, params map[string]string, session *string, res *types.AuthenticationResultType) (round, error) {
	if res != nil {
		return round{result: res}, nil
	}
	if name != types.ChallengeNameTypeCustomChallenge {
		// DefineAuthChallenge only ever asks CUSTOM_CHALLENGE.
		return round{}, fmt.Errorf("unexpected challenge %q, want %s", name, types.ChallengeNameTypeCustomChallenge)
	}
	return round{params: params, session: session}, nil
}

// initiate starts a CUSTOM_AUTH sign-in and says where the code went.
func (s *signer) initiate(ctx context.Context) (round, error) {
	out, err := s.cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       aws.String(s.opts.clientID),
		AuthFlow:       types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": s.opts.phone},
	})
	if err != nil {
		return round{}, fmt.Errorf("start sign-in: %w", err)
	}
	r, err := newRound(out.ChallengeName, out.ChallengeParameters, out.Session, out.AuthenticationResult)
	if err != nil {
		return round{}, fmt.Errorf("start sign-in: %w", err)
	}
	if r.result == nil {
		describeChallenge(s.out, r.params)
	}
	return r, nil
}

// respond sends one answer. It always sends the latest session (older ones
// are refused) and the USERNAME Cognito put in the challenge, which in a
// pool that signs in by phone number is the internal user name.
func (s *signer) respond(ctx context.Context, r round, code string) (round, error) {
	username := r.params["USERNAME"]
	if username == "" {
		username = s.opts.phone // Cognito always adds USERNAME; be lenient anyway
	}
	out, err := s.cognito.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId:           aws.String(s.opts.clientID),
		ChallengeName:      types.ChallengeNameTypeCustomChallenge,
		Session:            r.session,
		ChallengeResponses: map[string]string{"USERNAME": username, "ANSWER": code},
	})
	if err != nil {
		return round{}, fmt.Errorf("answer challenge: %w", err)
	}
	next, err := newRound(out.ChallengeName, out.ChallengeParameters, out.Session, out.AuthenticationResult)
	if err != nil {
		return round{}, fmt.Errorf("answer challenge: %w", err)
	}
	return next, nil
}

// describeChallenge prints the public challenge parameters in words.
func describeChallenge(w io.Writer, p map[string]string) {
	masked, length := p["maskedPhone"], p["codeLength"]
	if masked == "" {
		masked = "(not given)"
	}
	if length == "" {
		length = "?"
	}
	fmt.Fprintf(w, "Code sent to %s: %s digits, expires in %s. A new sign-in can send a new code after %s.\n",
		masked, length, secondsParam(p, "expiresIn"), secondsParam(p, "resendAfter"))
}
