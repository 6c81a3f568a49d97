package localstack

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
)

// Defaults a newcomer needs to type nothing for: the CLI client and the
// docs use the same ones.
const (
	DefaultAddr     = "127.0.0.1:9229"
	DefaultPoolID   = "us-east-1_L0ca1P00l"
	DefaultClientID = "10ca1otpc1ient000000000000"
	// DefaultOutbox is where the console provider appends each SMS as a
	// JSON line, relative to the working directory.
	DefaultOutbox = "otp-local-outbox.jsonl"
)

var clientIDPattern = regexp.MustCompile(`^[\w+]{1,128}$`)

// Options configure a Stack. Zero values mean the defaults above.
type Options struct {
	Addr string
	// PublicURL is how clients reach the stack (the tokens' iss and the
	// JWKS URL follow it), e.g. http://192.168.1.20:9229 for a phone on
	// the LAN; default http:// and Addr, loopback for a wildcard host.
	PublicURL string
	PoolID    string
	ClientID  string
	// Outbox is the console provider's JSONL file; "-" means none.
	Outbox string
	// SMS is where the console provider prints each message (stdout).
	SMS io.Writer
	Log *slog.Logger
	// Getenv supplies the OTP_* settings the triggers read in AWS
	// (code length, lifetime, caps, OTP_TEST_NUMBERS, ...), and
	// OTP_TABLE_NAME / OTP_QUEUE_URL / OTP_DLQ_URL to leave the embedded
	// store and queue. Nil means none set.
	Getenv func(string) string
	// AWS is the SDK configuration for DynamoDB and SQS when they are
	// configured; nil means the SDK's defaults.
	AWS *aws.Config
	// CreateTable creates the DynamoDB table if it does not exist (for
	// DynamoDB Local); never needed with the embedded store.
	CreateTable bool
	// Pool is the user pool's and app client's settings; nil means
	// DefaultPoolSettings (template.yaml's defaults).
	Pool *PoolSettings
	// PoolSource says where Pool came from, for the start banner (e.g.
	// "template.yaml CodeTtlMinutes=5"); "" means the embedded defaults.
	PoolSource string
	// RevealUserExistence turns PreventUserExistenceErrors off (LEGACY),
	// whatever Pool says.
	RevealUserExistence bool
	// ConfirmSignUpBySMS runs the pool as one with AutoVerifiedAttributes
	// [phone_number], no PreSignUp trigger (the project's auto-confirms)
	// and the Custom SMS Sender trigger: SignUp leaves the user
	// UNCONFIRMED and sends a code, encrypted under a KMS key (AWS_ENDPOINT_URL_KMS,
	// OTP_KMS_KEY_ARN), through the custom sender, the queue and the
	// worker; ConfirmSignUp and ResendConfirmationCode work as in Cognito.
	ConfirmSignUpBySMS bool
	// Workers is how many pollers deliver SMS concurrently (default 4).
	Workers int
	// Now is the clock of every part (tests move it); default time.Now.
	Now func() time.Time
	// Limits bound what clients can hold of the server; zero fields mean
	// the defaults (see ServerLimits).
	Limits ServerLimits
	// Simulate replaces the console provider with these simulated ones,
	// tried in this order, whose receipts drive tallies and resends (see
	// SimulatedProvider); empty: one console provider, no receipts.
	Simulate []SimulatedProvider
	// Wrap puts something between the stack and its store, queue and SMS
	// provider (injected faults); the zero value wraps nothing.
	Wrap Wrappers
}

func (o *Options) withDefaults() error {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.PoolID == "" {
		o.PoolID = DefaultPoolID
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.Outbox == "" {
		o.Outbox = DefaultOutbox
	}
	if o.Outbox == "-" {
		o.Outbox = ""
	}
	if o.SMS == nil {
		o.SMS = io.Discard
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	pool := DefaultPoolSettings()
	if o.Pool != nil {
		pool = *o.Pool
	}
	if o.RevealUserExistence {
		pool.PreventUserExistenceErrors = "LEGACY"
	}
	o.Pool = &pool
	var errs []error
	if err := pool.Check(); err != nil {
		errs = append(errs, fmt.Errorf("pool settings: %w", err))
	}
	if err := o.sessionValidityEnv(); err != nil {
		errs = append(errs, err)
	}
	if o.PublicURL != "" {
		if u, err := url.Parse(o.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			errs = append(errs, fmt.Errorf("--public-url %q: want a scheme and host, like http://192.168.1.20:9229", o.PublicURL))
		}
	}
	if !cognitowire.ValidPoolID(o.PoolID) {
		errs = append(errs, fmt.Errorf("--pool-id %q: want a region, '_' and letters or digits, like %s", o.PoolID, DefaultPoolID))
	}
	if !clientIDPattern.MatchString(o.ClientID) {
		errs = append(errs, fmt.Errorf("--client-id %q: want 1 to 128 letters, digits, '_' or '+'", o.ClientID))
	}
	return errors.Join(errs...)
}

// Region is the pool's region, the part of the pool id before '_'.
func (o Options) Region() string { return strings.SplitN(o.PoolID, "_", 2)[0] }

// sessionValidityEnv makes the triggers' OTP_SESSION_VALIDITY the app
// client's AuthSessionValidity, as template.yaml sets both from
// CodeTtlMinutes: a code must never outlive its session. A different value
// in the environment is refused rather than silently ignored.
func (o *Options) sessionValidityEnv() error {
	const name = "OTP_SESSION_VALIDITY"
	want := o.Pool.AuthSessionValidity
	set := o.Getenv(name)
	if set == "" {
		getenv := o.Getenv
		o.Getenv = func(k string) string {
			if k == name {
				return want.String()
			}
			return getenv(k)
		}
		return nil
	}
	if d, err := time.ParseDuration(set); err == nil && d != want {
		return fmt.Errorf("%s=%s differs from the app client's AuthSessionValidity %s; unset it or make them equal", name, set, want)
	}
	return nil // a malformed value is config's to report
}
