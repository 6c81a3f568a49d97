package signin

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
)

const (
	// DefaultEndpoint is the local stack's Cognito endpoint.
	DefaultEndpoint = "http://127.0.0.1:9229"
	// ClientIDEnv names the environment variable that supplies the app
	// client id when --client-id is not given and the endpoint is a local
	// stack, so a developer sets it once per shell.
	ClientIDEnv = "OTP_LOCAL_CLIENT_ID"
)

var (
	// errUsagePrinted means the flag package has already printed the error
	// and the usage text.
	errUsagePrinted = errors.New("usage error already printed")
)

// options are the parsed command line.
type options struct {
	phone      string // E.164
	endpoint   string // "" means real AWS
	region     string
	clientID   string
	poolID     string
	code       string
	noSignUp   bool
	showTokens bool
}

func newFlagSet(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("signin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.endpoint, "endpoint", DefaultEndpoint, "Cognito endpoint URL; empty for real AWS")
	fs.StringVar(&o.region, "region", "us-east-1", "AWS region")
	fs.StringVar(&o.clientID, "client-id", "", "app client id; with --endpoint set: $"+ClientIDEnv+", else the local stack's default (and --pool-id's)")
	fs.StringVar(&o.poolID, "pool-id", "", "user pool id; if set, the ID token is verified against the pool's JWKS")
	fs.StringVar(&o.code, "code", "", "answer with this code instead of asking on stdin (for scripts)")
	fs.BoolVar(&o.noSignUp, "no-signup", false, "skip SignUp (an unregistered number then gets a decoy challenge)")
	fs.BoolVar(&o.showTokens, "show-tokens", false, "print the ID, access and refresh tokens (they are secrets)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: otp-local signin +14155550123 [flags]\n\n"+
			"Signs the number up (unless --no-signup), asks for an SMS code, answers it and\n"+
			"prints the ID token's claims. Exit status: 0 signed in, 1 failed, 2 bad usage.\n\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses args (flags may come before or after the phone number)
// and fills in and checks what the flags leave open.
func parseArgs(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := newFlagSet(&o, stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsagePrinted
	}
	if len(pos) != 1 {
		return o, fmt.Errorf("want exactly one phone number, got %d arguments", len(pos))
	}
	if o.phone, err = parsePhone(pos[0]); err != nil {
		return o, err
	}
	if o.clientID == "" && o.endpoint != "" {
		o.clientID = getenv(ClientIDEnv)
	}
	// Against a local stack with its default ids, nothing needs typing,
	// and the ID token is checked against its JWKS.
	if o.clientID == "" && o.endpoint != "" {
		o.clientID = localstack.DefaultClientID
	}
	if o.poolID == "" && o.endpoint != "" && o.clientID == localstack.DefaultClientID {
		o.poolID = localstack.DefaultPoolID
	}
	return o, o.check()
}

// parseInterspersed parses flags wherever they are, since the command reads
// `signin +14155550123 --code 123456` and package flag stops at the first
// argument that is not a flag. Arguments after "--" are all positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// check validates the options; its errors name the flag to fix.
func (o options) check() error {
	if o.clientID == "" {
		if o.endpoint != "" {
			return fmt.Errorf("--client-id is required (or set %s for the local stack)", ClientIDEnv)
		}
		return errors.New("--client-id is required")
	}
	if o.endpoint != "" {
		u, err := url.Parse(o.endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--endpoint %q: want an http or https URL, or \"\" for real AWS", o.endpoint)
		}
	}
	if o.region == "" {
		return errors.New("--region must not be empty")
	}
	if o.poolID != "" && !cognitowire.ValidPoolID(o.poolID) {
		return fmt.Errorf("--pool-id %q: want a user pool id such as us-east-1_AbC123", o.poolID)
	}
	return nil
}

// parsePhone normalises raw to E.164. Only malformed input is refused here:
// which valid numbers get a code (country, VoIP, landlines) is the pool's
// policy, and seeing the pool refuse one is part of what this tool is for.
// The error shows the number as typed: it is the user's own, on their own
// terminal, and a masked one would hide the typo.
func parsePhone(raw string) (string, error) {
	n, err := phone.Parse(phone.Policy{}, raw)
	switch {
	case err == nil:
		return n.E164, nil
	case errors.Is(err, phone.ErrInvalid):
		return "", fmt.Errorf("phone number %q: %s (want E.164, such as +14155550123)", raw, invalidReason(raw))
	}
	// Valid, but not a number the zero policy texts: normalise it the same
	// way Parse does and let the pool decide.
	e164, err := phone.Normalize(raw)
	if err != nil {
		return "", fmt.Errorf("phone number %q: %s (want E.164, such as +14155550123)", raw, invalidReason(raw))
	}
	return e164, nil
}

// invalidReason says why raw is not a number in E.164, in the user's terms.
func invalidReason(raw string) string {
	s := strings.TrimSpace(raw)
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	switch {
	case s == "":
		return "empty"
	case s[0] != '+':
		return "it must start with + and the country code"
	case strings.ContainsFunc(s[1:], func(r rune) bool { return !strings.ContainsRune("0123456789 -.()", r) }):
		return "only digits, spaces, '-', '.', '(' and ')' may follow the +"
	case digits < 7:
		return "too short"
	case digits > 15:
		return "too long"
	}
	return "no such number exists"
}
