package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// Order is the provider order for a country, best first: the router that
// ranks providers by measured delivery, or the configured order
// (routing.Router; channel.Plan for the configured order).
type Order interface {
	Order(country string) []string
}

// ResendClaims is the store's claim on a challenge for one more SMS
// (store/dynamo, store/mem; semantics in storetest.Resends).
type ResendClaims interface {
	ClaimResend(ctx context.Context, id, to, prevProvider, prevID string, now time.Time, maxSends int) (otp.Challenge, error)
}

// Deliveries reads where a sent message's receipts have taken it
// (store/dynamo.Ledger, store/mem.Ledger).
type Deliveries interface {
	Message(ctx context.Context, provider, id string) (delivery.Message, error)
}

// ResendConfig bounds resends.
type ResendConfig struct {
	// Timeout is how long after a send the worker checks its delivery.
	Timeout time.Duration
	// MaxSends is how many SMS one code may cost in all; 1 turns resends off.
	MaxSends int
	// MinLife is how much of the code's life must be left for a resend to
	// be worth it: the user still has to read and type the code.
	MinLife time.Duration
}

// DefaultResendConfig: check 20 s after a send, at most 2 SMS per code,
// and only while 30 s of the code are left.
func DefaultResendConfig() ResendConfig {
	return ResendConfig{Timeout: 20 * time.Second, MaxSends: 2, MinLife: 30 * time.Second}
}

// Bounds of ResendConfig, shared with the environment's parser.
const (
	MaxSendsPerCode = 5
	MaxResendLife   = 10 * time.Minute
)

// Validate checks the bounds.
func (c ResendConfig) Validate() error {
	var errs []error
	if c.Timeout < time.Second || c.Timeout > MaxBackoff {
		errs = append(errs, fmt.Errorf("delivery timeout %s: must be 1s to %s (the SQS delay limit)", c.Timeout, MaxBackoff))
	}
	if c.MaxSends < 1 || c.MaxSends > MaxSendsPerCode {
		errs = append(errs, fmt.Errorf("max sends per code %d: must be 1 to %d", c.MaxSends, MaxSendsPerCode))
	}
	if c.MinLife < 0 || c.MinLife > MaxResendLife {
		errs = append(errs, fmt.Errorf("resend min life %s: must be 0 to %s", c.MinLife, MaxResendLife))
	}
	return errors.Join(errs...)
}

// Resend sends a sign-in code, or a Custom SMS Sender job's code (its
// delivery record is claimed as a challenge is), once more, through
// another provider, when its SMS was not delivered. After each send the
// worker schedules a delivery check (schema.Check, the job with its code
// still sealed) on the SMS queue with the timeout as its delay; when it
// comes back, the worker:
//
//   - drops it when the code has less than MinLife left, when the send was
//     delivered, or when it was undelivered for a reason no route can help
//     (delivery.RouteMayHelp: opted out, invalid number, landline, ...);
//   - otherwise (undelivered for a reason another route may fix, or no
//     final receipt within the timeout) claims the challenge for one more
//     SMS (ResendClaims: live, for that number, still "sent" under the
//     message the check follows, fewer than MaxSends SMS so far) and sends
//     the same code through the first provider in Order that has not
//     carried an SMS of the challenge yet, by the chain's own pass (Relay),
//     so the chain's breakers count a resend like any send.
//
// The store's claim makes duplicate and late checks harmless: only the
// first one for a send finds the challenge still "sent" under it.
type Resend struct {
	cfg        ResendConfig
	order      Order
	relay      Relay
	claims     ResendClaims
	deliveries Deliveries
}

// Relay sends through named providers of the worker's chain, with the
// chain's breakers, attempt timeouts and failover rules (*providers.Chain:
// the same chain the worker's Sender is, so its breakers learn from
// resends as from first sends).
type Relay interface {
	Has(provider string) bool
	SendTraceVia(ctx context.Context, m providers.Message, names []string) (providers.Receipt, []providers.Attempt, error)
}

// NewResend returns a Resend that sends through relay.
func NewResend(cfg ResendConfig, order Order, relay Relay, claims ResendClaims, deliveries Deliveries) (*Resend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("resend: %w", err)
	}
	if order == nil || relay == nil || claims == nil || deliveries == nil {
		return nil, errors.New("resend: order, relay, claims and deliveries are required")
	}
	return &Resend{cfg: cfg, order: order, relay: relay, claims: claims, deliveries: deliveries}, nil
}

// followUp is the delivery check to schedule after m went out through
// receipt's provider (c is the record as claimed for that send; check
// makes the body), or nil when no resend could follow: resends off, a job
// with no code to send again (check nil), no provider message id to
// follow, the record's SMS spent, or too little of the code left by the
// time the check comes.
func (w *Worker) followUp(log *slog.Logger, m schema.Message, c otp.Challenge, receipt providers.Receipt, now time.Time, check checkFunc) *FollowUp {
	r := w.env.Resend
	if r == nil || check == nil || receipt.MessageID == "" {
		return nil
	}
	if sends := len(c.Delivery.Via) + 1; sends >= r.cfg.MaxSends || c.Delivery.Used(receipt.Provider) {
		return nil
	}
	if m.ExpiresAt.Sub(now.Add(r.cfg.Timeout)) < r.cfg.MinLife {
		return nil
	}
	body, err := check(receipt.Provider, receipt.MessageID)
	if err != nil {
		log.Error("delivery check not made", "err", err)
		return nil
	}
	return &FollowUp{Body: body, After: r.cfg.Timeout}
}

// checkFunc makes the body of the delivery check that follows a send the
// provider accepted as providerMessageID: the job as enqueued, inside a
// version 3 check (schema.NewCheck, schema.NewCognitoCheck).
type checkFunc func(provider, providerMessageID string) ([]byte, error)

// sendable is what a job sends, once opened: its content for the record
// as claimed, and the check that follows a send (nil: none).
type sendable struct {
	render func(otp.Challenge) (content, error)
	check  checkFunc
}

// signInCheck follows a sign-in code's send.
func signInCheck(m schema.Message) checkFunc {
	return func(provider, id string) ([]byte, error) { return schema.NewCheck(m, provider, id) }
}

// processCheck handles a delivery check of a sign-in code, or of a
// Cognito job's (processCognitoCheck); see Resend.
func (w *Worker) processCheck(ctx context.Context, body []byte, country *string) Outcome {
	if schema.IsCognitoCheck(body) {
		return w.processCognitoCheck(ctx, body, country)
	}
	chk, m, err := schema.DecodeCheck(body)
	if err != nil {
		return w.done(nil, Outcome{Action: DeadLetter, Reason: ReasonMalformed, Detail: err.Error()})
	}
	*country = m.Country
	log := withCountry(w.env.Log.With("message", m.MessageID, "challenge", m.ChallengeID, "phone", mask.Phone(m.To),
		"check", chk.Provider+"/"+chk.ProviderMessageID), m.Country)
	return w.followCheck(ctx, log, chk, m, country, true, func(now time.Time) (sendable, Outcome, bool) {
		code, o, ok := w.openCode(ctx, log, m, now)
		return sendable{render: w.signInText(code, m.Channel), check: signInCheck(m)}, o, ok
	})
}

// followCheck is a check's way for any job (m: the fields the claims know
// it by): judge the send it follows, open the job (open; ok false when the
// outcome is decided), claim the record for one more SMS and resend.
// signIn: a sign-in code, whose country may come from its challenge.
func (w *Worker) followCheck(ctx context.Context, log *slog.Logger, chk schema.Check, m schema.Message, country *string, signIn bool, open func(now time.Time) (sendable, Outcome, bool)) Outcome {
	r, now := w.env.Resend, w.env.Now()
	switch {
	case r == nil:
		return w.done(log, Outcome{Action: Delete, Reason: ReasonResendOff})
	case m.ExpiresAt.Sub(now) < r.cfg.MinLife:
		return w.done(log, Outcome{Action: Delete, Reason: ReasonTooLate})
	}
	if o, stop := w.judgeSend(ctx, log, r, chk, m, now); stop {
		return o
	}
	job, o, ok := open(now)
	if !ok {
		return o
	}
	c, o, ok := w.claimResend(ctx, log, r, chk, m, now)
	if !ok {
		return o
	}
	if signIn {
		log = challengeCountry(log, country, c)
	}
	return w.resend(ctx, log, r, m, c, *country, job, now)
}

// judgeSend reads what became of the send the check follows; stop is true
// when no resend is due.
func (w *Worker) judgeSend(ctx context.Context, log *slog.Logger, r *Resend, chk schema.Check, m schema.Message, now time.Time) (Outcome, bool) {
	st, err := r.deliveries.Message(ctx, chk.Provider, chk.ProviderMessageID)
	switch {
	case errors.Is(err, delivery.ErrUnknownMessage):
		// Never recorded (the sent log failed): as good as no receipt.
		return Outcome{}, false
	case err != nil:
		log.Error("read sent message failed", "err", err)
		return w.done(log, w.retryAt(m, w.backoff(1), ReasonStoreError, now)), true
	case st.Status == delivery.Delivered:
		return w.done(log, Outcome{Action: Delete, Reason: ReasonDelivered}), true
	case st.Status.Final() && !delivery.RouteMayHelp(channel.Of(chk.Provider), st.ErrorCode):
		return w.done(log.With("errorCode", st.ErrorCode), Outcome{Action: Delete, Reason: ReasonNoRoute}), true
	}
	log.Info("no delivery in time; resending", "status", st.Status.String(), "errorCode", st.ErrorCode)
	return Outcome{}, false
}

// claimResend claims the challenge for one more SMS; ok is false when the
// outcome is already decided.
func (w *Worker) claimResend(ctx context.Context, log *slog.Logger, r *Resend, chk schema.Check, m schema.Message, now time.Time) (otp.Challenge, Outcome, bool) {
	c, err := r.claims.ClaimResend(ctx, m.ChallengeID, m.To, chk.Provider, chk.ProviderMessageID, now, r.cfg.MaxSends)
	var o Outcome
	switch {
	case err == nil:
		return c, Outcome{}, true
	case errors.Is(err, otp.ErrNotDeliverable):
		o = Outcome{Action: Delete, Reason: ReasonNotDeliverable} // consumed, voided, expired
	case errors.Is(err, otp.ErrDelivered):
		o = Outcome{Action: Delete, Reason: ReasonDuplicate} // another check moved it on
	case errors.Is(err, otp.ErrSendsSpent):
		o = Outcome{Action: Delete, Reason: ReasonSendsSpent}
	default:
		log.Error("resend claim failed", "err", err)
		o = w.retryAt(m, w.backoff(1), ReasonStoreError, now)
	}
	return otp.Challenge{}, w.done(log, o), false
}

// resend sends the code through the providers of the country's order that
// have not carried it, in order, until one accepts it; a Permanent failure
// stops, as in the chain. Whatever happens, the claim is settled: the new
// send, or the send the check followed, put back.
func (w *Worker) resend(ctx context.Context, log *slog.Logger, r *Resend, m schema.Message, c otp.Challenge, country string, job sendable, now time.Time) Outcome {
	prev := otp.Sent(c.Delivery.Provider, c.Delivery.ProviderID)
	next := r.candidates(country, c.Delivery)
	if len(next) == 0 {
		w.record(ctx, log, m, c.Delivery.At, prev)
		return w.done(log, Outcome{Action: Delete, Reason: ReasonNoProvider})
	}
	text, err := job.render(c)
	if err != nil {
		w.record(ctx, log, m, c.Delivery.At, prev)
		return w.done(log, Outcome{Action: DeadLetter, Reason: ReasonRender, Detail: err.Error()})
	}
	// The next provider may be on another channel (SMS undelivered, then
	// WhatsApp): it gets the code and language a template needs.
	msg := providers.Message{ID: m.MessageID, To: m.To, Country: country, Body: text.text, ExpiresAt: m.ExpiresAt, Code: text.code, Locale: text.locale}
	receipt, latency, err := w.sendFirst(ctx, r, channel.Prefer(next, m.Channel), msg)
	if err == nil {
		w.record(ctx, log, m, c.Delivery.At, otp.Sent(receipt.Provider, receipt.MessageID))
		w.logSent(ctx, log, m, receipt, country, w.env.Now())
		w.sent(receipt.Provider, msg, latency)
		w.env.Metrics.Count("Resent", metrics.Dim{Name: "Provider", Value: receipt.Provider}, metrics.Dim{Name: "Country", Value: country})
		o := Outcome{Action: Delete, Reason: ReasonResent, Then: w.followUp(log, m, c, receipt, now, job.check)}
		return w.done(log.With("provider", receipt.Provider, "from", c.Delivery.Provider), o)
	}
	// Put the send the check followed back, so the check's retry can
	// claim the challenge again.
	w.record(ctx, log, m, c.Delivery.At, prev)
	log = log.With("err", err.Error())
	var pe *providers.Error
	switch kind := providers.Classify(err); {
	case kind == providers.Deferred:
		// Our own rate limit, as in deliver: not an attempt.
		delay := w.backoff(1)
		if errors.As(err, &pe) && pe.RetryAfter > 0 {
			delay = pe.RetryAfter
		}
		return w.done(log, w.retryAt(m, delay, ReasonDeferred, now))
	case kind == providers.Permanent || kind == providers.NotOnChannel || c.Delivery.Attempts >= w.cfg.MaxAttempts:
		return w.done(log, Outcome{Action: Delete, Reason: ReasonPermanent})
	}
	return w.done(log, w.retryAt(m, w.backoff(c.Delivery.Attempts), ReasonTransient, now))
}

// sendFirst sends msg through names, in order, until one accepts it, all
// within one SendTimeout: the chain's own pass over those providers
// (Relay), so a resend's failures and successes count toward the same
// circuit breakers as first sends, an open breaker is skipped (or, when
// every candidate's is open, the one that reopens first gets a trial), and
// a Permanent or Deferred failure stops it, all as in the chain.
func (w *Worker) sendFirst(ctx context.Context, r *Resend, names []string, msg providers.Message) (providers.Receipt, time.Duration, error) {
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	defer cancel()
	start := time.Now()
	receipt, attempts, err := r.relay.SendTraceVia(sctx, msg, names)
	latency := time.Since(start)
	w.countAttempts(attempts)
	return receipt, latency, err
}

// candidates are the providers of country's order that have not carried
// an SMS of the challenge and that this worker's chain has.
func (r *Resend) candidates(country string, d otp.Delivery) []string {
	var out []string
	for _, name := range r.order.Order(country) {
		if r.relay.Has(name) && !d.Used(name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
