package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
)

// Claims is the delivery claim on a challenge (store/dynamo, store/mem).
type Claims interface {
	Claim(ctx context.Context, id, to string, now, staleBefore time.Time) (otp.Challenge, error)
	Record(ctx context.Context, id string, claimedAt time.Time, o otp.Outcome) error
}

// Keys yields the keyring that unseals codes.
type Keys interface {
	Keyring(ctx context.Context) (*otp.Keyring, error)
}

// Renderer makes the SMS text.
type Renderer interface {
	Render(locale string, d smstext.Data) (string, error)
}

// Sender sends one SMS and says which providers it tried or skipped on the
// way (a *providers.Chain, or providers.Single for one provider), so the
// worker can count failures per provider.
type Sender interface {
	SendTrace(ctx context.Context, m providers.Message) (providers.Receipt, []providers.Attempt, error)
}

// Config holds the worker's timings and bounds.
//
// The defaults fit a 3-minute code: a Lambda timeout of 10 s at most, a
// queue visibility timeout of 60 s (6x the timeout, as AWS advises), a
// claim older than 30 s (3x the timeout) counts as abandoned, and backoff
// 2, 4, 8, 16, then 20 s, so 5 attempts span about 50 s of a 180 s code.
type Config struct {
	MaxAttempts int           // send attempts per message before the dead-letter queue
	ClaimStale  time.Duration // a "sending" claim older than this may be retaken
	BackoffBase time.Duration // first retry delay; doubles per attempt
	BackoffMax  time.Duration // retry delay cap
	SendTimeout time.Duration // budget for one pass through the provider chain
	Concurrency int           // messages of a batch in flight at once
}

// DefaultConfig is the configuration without settings.
func DefaultConfig() Config {
	return Config{
		MaxAttempts: 5,
		ClaimStale:  30 * time.Second,
		BackoffBase: 2 * time.Second,
		BackoffMax:  20 * time.Second,
		SendTimeout: 5 * time.Second,
		Concurrency: 10,
	}
}

// Bounds Validate and the environment's parser share.
const (
	MaxMaxAttempts = 20
	MaxConcurrency = 100
	MaxBackoff     = 15 * time.Minute // the SQS limit on a message's delay
)

// Validate checks the bounds.
func (c Config) Validate() error {
	var errs []error
	if c.MaxAttempts < 1 || c.MaxAttempts > MaxMaxAttempts {
		errs = append(errs, fmt.Errorf("max attempts %d: must be 1 to %d", c.MaxAttempts, MaxMaxAttempts))
	}
	errs = append(errs, c.checkClaimStale())
	if c.BackoffBase <= 0 || c.BackoffMax > MaxBackoff {
		errs = append(errs, fmt.Errorf("backoff %s..%s: base must be > 0, max <= %s (the SQS limit)", c.BackoffBase, c.BackoffMax, MaxBackoff))
	}
	errs = append(errs, c.checkBackoffMax())
	if c.SendTimeout <= 0 {
		errs = append(errs, fmt.Errorf("send timeout %s: must be > 0", c.SendTimeout))
	}
	if c.Concurrency < 1 || c.Concurrency > MaxConcurrency {
		errs = append(errs, fmt.Errorf("concurrency %d: must be 1 to %d", c.Concurrency, MaxConcurrency))
	}
	return errors.Join(errs...)
}

// checkClaimStale: a claim must outlive the send it guards.
func (c Config) checkClaimStale() error {
	if c.ClaimStale <= c.SendTimeout {
		return fmt.Errorf("claim stale %s: must exceed the send timeout %s, or a live send could be retaken", c.ClaimStale, c.SendTimeout)
	}
	return nil
}

func (c Config) checkBackoffMax() error {
	if c.BackoffMax < c.BackoffBase {
		return fmt.Errorf("backoff max %s: shorter than the backoff base %s", c.BackoffMax, c.BackoffBase)
	}
	return nil
}

// Env is what the worker takes from the outside world; tests replace it.
type Env struct {
	Now     func() time.Time
	Rand    func() float64 // jitter in [0,1)
	Log     *slog.Logger
	Metrics metrics.Recorder
	Sent    SentLog // optional: records accepted sends for their receipts
	Resend  *Resend // optional: resends a code whose SMS was not delivered
}

// Worker processes SMS jobs.
type Worker struct {
	cfg    Config
	claims Claims
	keys   Keys
	text   Renderer
	send   Sender
	costs  Prices
	env    Env
}

// New returns a worker.
func New(cfg Config, claims Claims, keys Keys, text Renderer, send Sender, costs Prices, env Env) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	if claims == nil || keys == nil || text == nil || send == nil {
		return nil, errors.New("worker: claims, keys, text and send are required")
	}
	return &Worker{cfg: cfg, claims: claims, keys: keys, text: text, send: send, costs: costs, env: env.withDefaults()}, nil
}

// withDefaults fills the clock, randomness, logger and metrics left unset
// with the router's defaults (routing.Env.WithDefaults): one worker, one
// set of defaults.
func (e Env) withDefaults() Env {
	d := routing.Env{Now: e.Now, Rand: e.Rand, Log: e.Log, Metrics: e.Metrics}.WithDefaults()
	e.Now, e.Rand, e.Log, e.Metrics = d.Now, d.Rand, d.Log, d.Metrics
	return e
}

// backoff is the delay before attempt n+1 after n failed ones: exponential,
// capped, with jitter over its upper half so retries of a burst spread out.
func (w *Worker) backoff(n int) time.Duration {
	d := w.cfg.BackoffBase
	for i := 1; i < n && d < w.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.BackoffMax)
	return d/2 + time.Duration(w.env.Rand()*float64(d/2))
}
