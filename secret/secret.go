package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Sentinel errors; fetch errors wrap them where they apply.
var (
	// ErrNotFound means the secret or parameter does not exist (or is not
	// visible to the caller's credentials in that region).
	ErrNotFound = errors.New("secret not found")
	// ErrEmpty means the secret exists but holds no value.
	ErrEmpty = errors.New("secret value is empty")
)

// Fetcher fetches the current value of the secret. Each call asks the
// backing store; wrap a Fetcher in a Cache to ask it at most once per TTL.
type Fetcher interface {
	Fetch(ctx context.Context) ([]byte, error)
}

// SecretsManagerClient is the part of *secretsmanager.Client we use.
type SecretsManagerClient interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SSMClient is the part of *ssm.Client we use.
type SSMClient interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// SecretsManager fetches the current version (AWSCURRENT) of a Secrets
// Manager secret.
type SecretsManager struct {
	client SecretsManagerClient
	id     string
}

var _ Fetcher = (*SecretsManager)(nil)

// NewSecretsManager returns a Fetcher for the secret with the given name or
// ARN.
func NewSecretsManager(client SecretsManagerClient, secretID string) *SecretsManager {
	return &SecretsManager{client: client, id: secretID}
}

// Fetch returns SecretString's bytes if the secret has a string value,
// otherwise SecretBinary's (already base64-decoded by the SDK).
func (s *SecretsManager) Fetch(ctx context.Context) ([]byte, error) {
	if s.client == nil {
		return nil, fmt.Errorf("secretsmanager get %q: no client", s.id)
	}
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.id)})
	if err != nil {
		var nf *smtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("secretsmanager get %q: %w: %w", s.id, ErrNotFound, err)
		}
		return nil, fmt.Errorf("secretsmanager get %q: %w", s.id, err)
	}
	switch {
	case out == nil:
		return nil, fmt.Errorf("secretsmanager get %q: empty response: %w", s.id, ErrEmpty)
	case out.SecretString != nil && *out.SecretString != "":
		return []byte(*out.SecretString), nil
	case len(out.SecretBinary) > 0:
		return bytes.Clone(out.SecretBinary), nil
	default:
		return nil, fmt.Errorf("secretsmanager get %q: neither SecretString nor SecretBinary has content: %w", s.id, ErrEmpty)
	}
}

// SSMParameter fetches a SecureString parameter from SSM Parameter Store,
// decrypted.
type SSMParameter struct {
	client SSMClient
	name   string
}

var _ Fetcher = (*SSMParameter)(nil)

// NewSSMParameter returns a Fetcher for the parameter with the given name
// or ARN ("name:version" and "name:label" select a version, as in the API).
func NewSSMParameter(client SSMClient, name string) *SSMParameter {
	return &SSMParameter{client: client, name: name}
}

// Fetch returns the decrypted value. A parameter of type String or
// StringList is refused: a secret belongs in a SecureString, encrypted at
// rest with KMS.
func (p *SSMParameter) Fetch(ctx context.Context) ([]byte, error) {
	if p.client == nil {
		return nil, fmt.Errorf("ssm get %q: no client", p.name)
	}
	out, err := p.client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(p.name), WithDecryption: aws.Bool(true)})
	if err != nil {
		var nf *ssmtypes.ParameterNotFound
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("ssm get %q: %w: %w", p.name, ErrNotFound, err)
		}
		return nil, fmt.Errorf("ssm get %q: %w", p.name, err)
	}
	if out == nil || out.Parameter == nil {
		return nil, fmt.Errorf("ssm get %q: response has no Parameter: %w", p.name, ErrEmpty)
	}
	if t := out.Parameter.Type; t != ssmtypes.ParameterTypeSecureString {
		return nil, fmt.Errorf("ssm get %q: parameter type is %q, want %q", p.name, t, ssmtypes.ParameterTypeSecureString)
	}
	if out.Parameter.Value == nil || *out.Parameter.Value == "" {
		return nil, fmt.Errorf("ssm get %q: %w", p.name, ErrEmpty)
	}
	return []byte(*out.Parameter.Value), nil
}

// Static is a fixed value, for local use and tests only: a secret in
// configuration is a secret in every process listing and crash dump.
type Static struct {
	value []byte
}

var _ Fetcher = Static{}

// NewStatic returns a Static holding a copy of value.
func NewStatic(value []byte) Static {
	return Static{value: bytes.Clone(value)}
}

// Fetch returns a copy of the value, or ErrEmpty if it is empty.
func (s Static) Fetch(context.Context) ([]byte, error) {
	if len(s.value) == 0 {
		return nil, fmt.Errorf("static secret: %w", ErrEmpty)
	}
	return bytes.Clone(s.value), nil
}

// Format prints "secret.Static(redacted)" for every verb, so that logging
// a Static by mistake shows no secret.
func (s Static) Format(f fmt.State, verb rune) {
	io.WriteString(f, "secret.Static(redacted)")
}

// MaxTTL is the longest a Cache serves a value without asking its Fetcher
// again: a rotated secret is in use everywhere within MaxTTL.
const MaxTTL = 5 * time.Minute

// staleFactor bounds how old a value a Cache may serve when a refresh
// fails: staleFactor × TTL since it was fetched.
const staleFactor = 3

// fetchTimeout bounds one fetch. The fetch runs apart from the caller's
// context (see Get), so it needs its own bound.
const fetchTimeout = 30 * time.Second

// Cache holds the value of a Fetcher for a TTL. It is safe for concurrent
// use, and at most one fetch is in flight at a time.
//
// A Cache must not be copied after first use.
type Cache struct {
	src        Fetcher
	ttl        time.Duration
	maxStale   time.Duration // serve a value this old at most, even when refresh fails
	retryAfter time.Duration // after a failed refresh, serve the stale value this long before retrying
	now        func() time.Time

	mu        sync.Mutex
	val       []byte    // nil until the first successful fetch
	fetchedAt time.Time // when the fetch that produced val started
	failedAt  time.Time // when the last refresh failed while a stale value was served; zero after a success
	inflight  *call     // the fetch in flight, if any
}

// call is one fetch that callers wait for.
type call struct {
	done chan struct{} // closed when val and err are set
	val  []byte        // shared by waiters: never modified, cloned before returning
	err  error
}

// NewCache returns a Cache over src. A ttl above MaxTTL is clamped to
// MaxTTL, and a ttl of zero or less means MaxTTL; we clamp rather than fail
// because the bound exists for rotation, and the nearest allowed value is
// what a caller asking for more wants. now is the clock (nil means
// time.Now). NewCache panics if src is nil.
func NewCache(src Fetcher, ttl time.Duration, now func() time.Time) *Cache {
	if src == nil {
		panic("secret.NewCache: nil Fetcher")
	}
	if ttl <= 0 || ttl > MaxTTL {
		ttl = MaxTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Cache{
		src:        src,
		ttl:        ttl,
		maxStale:   staleFactor * ttl,
		retryAfter: ttl / 10,
		now:        now,
	}
}

// TTL returns the effective TTL after clamping.
func (c *Cache) TTL() time.Duration { return c.ttl }

// Get returns the secret's value: the cached one while it is younger than
// the TTL, otherwise a freshly fetched one. The caller owns the returned
// slice.
//
// If a refresh fails while the cached value is younger than 3×TTL, Get
// returns that value and a nil error, and for TTL/10 after the failure it
// serves the value without asking the Fetcher again. We chose this because
// the secret is needed on every sign-in, a Secrets Manager or SSM hiccup
// should not become a sign-in outage, and a value a few minutes old is
// still right unless a rotation happened in that window (and a rotation
// keeps the previous secret valid for a while anyway). The Cache logs
// nothing: callers that care see the next failure once the value is older
// than 3×TTL. With no value that young, Get returns the fetch error.
//
// Concurrent callers share one fetch. The fetch runs with ctx's values but
// not its cancellation (bounded by its own timeout), so one caller giving up
// does not fail the fetch for the others; each caller waits only until its
// own ctx is done.
func (c *Cache) Get(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	now := c.now()
	if c.val != nil && c.age(now) < c.ttl {
		v := bytes.Clone(c.val)
		c.mu.Unlock()
		return v, nil
	}
	if c.val != nil && c.age(now) < c.maxStale && !c.failedAt.IsZero() && inWindow(now, c.failedAt, c.retryAfter) {
		v := bytes.Clone(c.val)
		c.mu.Unlock()
		return v, nil
	}
	cl := c.inflight
	if cl == nil {
		cl = &call{done: make(chan struct{})}
		c.inflight = cl
		go c.fetch(context.WithoutCancel(ctx), cl, now)
	}
	c.mu.Unlock()

	select {
	case <-cl.done:
		if cl.err != nil {
			return nil, cl.err
		}
		return bytes.Clone(cl.val), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for secret: %w", context.Cause(ctx))
	}
}

// age returns how long ago the cached value was fetched; a clock that went
// backwards makes the value look infinitely old, so it is refreshed.
func (c *Cache) age(now time.Time) time.Duration {
	d := now.Sub(c.fetchedAt)
	if d < 0 {
		return 1<<63 - 1
	}
	return d
}

func inWindow(now, start time.Time, d time.Duration) bool {
	since := now.Sub(start)
	return since >= 0 && since < d
}

// fetch runs one fetch for cl and publishes its result.
func (c *Cache) fetch(ctx context.Context, cl *call, started time.Time) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	v, err := c.safeFetch(ctx)
	if err == nil && len(v) == 0 {
		err = ErrEmpty
	}

	c.mu.Lock()
	defer func() {
		c.inflight = nil
		c.mu.Unlock()
		close(cl.done)
	}()
	if err == nil {
		c.val, c.fetchedAt, c.failedAt = bytes.Clone(v), started, time.Time{}
		cl.val = c.val
		return
	}
	now := c.now()
	if c.val != nil && c.age(now) < c.maxStale {
		// Stale-on-error: see Get.
		c.failedAt = now
		cl.val = c.val
		return
	}
	cl.err = fmt.Errorf("fetch secret: %w", err)
}

// safeFetch calls the Fetcher, turning a panic into an error: the fetch
// runs in its own goroutine, where a panic would end the process.
func (c *Cache) safeFetch(ctx context.Context) (v []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			// The panic value is not printed: it could hold anything.
			v, err = nil, fmt.Errorf("fetcher %T panicked", c.src)
		}
	}()
	return c.src.Fetch(ctx)
}

// Format prints "secret.Cache(redacted)" for every verb, so that logging a
// Cache by mistake shows no secret.
func (c *Cache) Format(f fmt.State, verb rune) {
	io.WriteString(f, "secret.Cache(redacted)")
}

// specHelp lists the forms FromSpec accepts.
const specHelp = "want secretsmanager:<name-or-arn>, ssm:<parameter-name> or plain:<value>"

// maxNameLen is the longest secret id or parameter name the APIs accept.
const maxNameLen = 2048

// FromSpec returns the Fetcher a configuration value names:
//
//	secretsmanager:<name-or-arn>   Secrets Manager, needs sm
//	ssm:<parameter-name-or-arn>    SSM Parameter Store SecureString, needs ssmc
//	plain:<value>                  the value itself; local use only
//
// The kind is case-insensitive; spaces around the kind and the name are
// ignored, but a plain value is taken exactly as written. Errors name the
// problem and never echo the spec, since a misplaced secret could be in it.
func FromSpec(spec string, sm SecretsManagerClient, ssmc SSMClient) (Fetcher, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return nil, fmt.Errorf("secret spec: no kind; %s", specHelp)
	}
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "secretsmanager":
		id := strings.TrimSpace(rest)
		if err := checkName(id); err != nil {
			return nil, fmt.Errorf("secret spec secretsmanager: secret id %w", err)
		}
		if sm == nil {
			return nil, errors.New("secret spec secretsmanager: no Secrets Manager client")
		}
		return NewSecretsManager(sm, id), nil
	case "ssm":
		name := strings.TrimSpace(rest)
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("secret spec ssm: parameter name %w", err)
		}
		if ssmc == nil {
			return nil, errors.New("secret spec ssm: no SSM client")
		}
		return NewSSMParameter(ssmc, name), nil
	case "plain":
		if rest == "" {
			return nil, fmt.Errorf("secret spec plain: %w", ErrEmpty)
		}
		return NewStatic([]byte(rest)), nil
	default:
		return nil, fmt.Errorf("secret spec: unknown kind; %s", specHelp)
	}
}

// checkName returns why name can't be a secret id or parameter name.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("is empty")
	case len(name) > maxNameLen:
		return fmt.Errorf("is %d bytes, longer than %d", len(name), maxNameLen)
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return errors.New("contains a space or control character")
	}
	return nil
}
