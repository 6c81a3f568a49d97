// Package verify is the VerifyAuthChallengeResponse trigger. It sits apart
// from package triggers so that its function links no phone numbering
// plan: the challenge carries everything it reports (its country included,
// as Create found it).
package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// ParamChallengeID is the private challenge parameter, set by Create,
// naming the challenge an answer is for.
const ParamChallengeID = "challengeId"

// Store is the part of the challenge store Verify writes to.
type Store interface {
	CountAttempt(ctx context.Context, id string, now time.Time) (otp.Challenge, error)
	Consume(ctx context.Context, id, by string) error
}

// Keys yields the keyring for the current server secret.
type Keys interface {
	Keyring(ctx context.Context) (*otp.Keyring, error)
}

// Config is what Verify needs of the code policy.
type Config struct {
	Digits   int           // the code length
	Deadline time.Duration // budget for the invocation's AWS calls
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Digits < otp.MinDigits || c.Digits > otp.MaxDigits {
		return fmt.Errorf("code length %d: must be %d to %d", c.Digits, otp.MinDigits, otp.MaxDigits)
	}
	return handlerenv.CheckDeadline(c.Deadline)
}

// maxAnswerLen bounds the answer we look at; anything longer is wrong
// without being normalised or MACed (it still counts as an attempt).
const maxAnswerLen = 64

// Verify is the VerifyAuthChallengeResponse trigger.
type Verify struct {
	cfg   Config
	store Store
	keys  Keys
	env   handlerenv.Env
}

// New returns the trigger.
func New(cfg Config, store Store, keys Keys, env handlerenv.Env) (*Verify, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil || keys == nil {
		return nil, errors.New("verify trigger: store and keys are required")
	}
	return &Verify{cfg: cfg, store: store, keys: keys, env: env.WithDefaults()}, nil
}

// Handle counts the answer as an attempt first (one conditional write that
// refuses past the cap, after expiry or once consumed), then compares MACs
// in constant time, then consumes the challenge with a second conditional
// write that only one answer can win. A wrong answer costs one request, a
// right one two.
func (h *Verify) Handle(ctx context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
	if err := refusal.CheckSource(source.Verify, h.env.Log, ev.TriggerSource); err != nil {
		return ev, err
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Deadline)
	defer cancel()
	ev.Response.AnswerCorrect = false
	log := h.env.Log.With("trigger", "VerifyAuthChallengeResponse")
	id := ev.Request.PrivateChallengeParameters[ParamChallengeID]
	if !otp.IsID(id) {
		log.Warn("no challenge id in private parameters")
		return ev, nil
	}
	log = log.With("challenge", id)
	answer, shaped := normaliseAnswer(ev.Request.ChallengeAnswer, h.cfg.Digits)

	c, err := h.store.CountAttempt(ctx, id, h.env.Now())
	if errors.Is(err, otp.ErrNotAnswerable) {
		log.Info("answer refused: challenge expired, consumed or out of attempts")
		h.env.Metrics.Count("AnswerRefused")
		return ev, nil
	}
	if err != nil {
		log.Error("count attempt failed", "err", err)
		return ev, refusal.New(refusal.CodeUnavailable)
	}
	kr, err := h.keys.Keyring(ctx)
	if err != nil {
		log.Error("keys unavailable", "err", err)
		return ev, refusal.New(refusal.CodeUnavailable)
	}
	// A decoy's MAC matches no code anyway; the flags are belt and braces.
	if !shaped || !kr.CheckMAC(c.KeyID, c.MAC, c.ID, answer) || c.Decoy || ev.Request.UserNotFound {
		log.Info("wrong answer", "attempt", c.Attempts)
		return ev, nil
	}
	// by names this invocation, so a retried consume knows its own success.
	by, err := otp.NewID(h.env.Rand)
	if err != nil {
		log.Error("consume id", "err", err)
		return ev, refusal.New(refusal.CodeUnavailable)
	}
	if err := h.store.Consume(ctx, id, by); err != nil {
		if !errors.Is(err, otp.ErrAlreadyConsumed) {
			log.Error("consume failed", "err", err)
			return ev, refusal.New(refusal.CodeUnavailable)
		}
		log.Info("right answer, but a concurrent answer consumed the challenge first")
		return ev, nil
	}
	log.Info("right answer", "attempt", c.Attempts)
	h.env.Metrics.Count("CodeVerified", metrics.Dim{Name: "Country", Value: c.Country})
	ev.Response.AnswerCorrect = true
	return ev, nil
}

// normaliseAnswer drops white space (people type "123 456") and reports
// whether what is left is shaped like a code. Non-string answers are wrong.
func normaliseAnswer(v any, digits int) (string, bool) {
	s, ok := v.(string)
	if !ok || len(s) > maxAnswerLen {
		return "", false
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return s, otp.IsCodeShaped(s, digits)
}
