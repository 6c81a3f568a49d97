package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
)

// Process decides one message's fate and does the work up to that point:
// everything but the queue operation, which the driver performs.
//
// The duplicate window: the claim is recorded as "sending" before the
// provider call and as "sent" right after it. If the worker dies between the
// two, the claim goes stale after ClaimStale and a redelivery sends again:
// we err on the side of a second SMS over none, and only for a crash inside
// that window.
func (w *Worker) Process(ctx context.Context, body []byte) (o Outcome) {
	var country string
	defer func() {
		if r := recover(); r != nil {
			// A bug in a renderer or provider must not take the batch down:
			// the message comes back later, and the panic is logged.
			w.env.Log.Error("panic while processing a message", "panic", fmt.Sprint(r))
			o = Outcome{Action: Retry, Delay: w.cfg.BackoffMax, Reason: ReasonPanic}
		}
		w.env.Metrics.Count("Processed", metrics.Dim{Name: "Outcome", Value: o.Reason}, metrics.Dim{Name: "Country", Value: country})
	}()
	return w.process(ctx, body, &country)
}

func (w *Worker) process(ctx context.Context, body []byte, country *string) Outcome {
	if schema.IsCognitoSMS(body) {
		return w.processCognito(ctx, body, country)
	}
	if schema.IsCheck(body) {
		return w.processCheck(ctx, body, country)
	}
	m, err := schema.DecodeMessage(body)
	if err != nil {
		reason := ReasonMalformed
		if errors.Is(err, schema.ErrUnsupportedVersion) {
			reason = ReasonUnsupported
		}
		return w.done(nil, Outcome{Action: DeadLetter, Reason: reason, Detail: err.Error()})
	}
	*country = m.Country
	log := withCountry(w.env.Log.With("message", m.MessageID, "challenge", m.ChallengeID, "phone", mask.Phone(m.To)), m.Country)
	now := w.env.Now()
	code, o, ok := w.openCode(ctx, log, m, now)
	if !ok {
		return o
	}
	return w.claimAndSend(ctx, log, m, country, now, true, sendable{render: w.signInText(code, m.Channel), check: signInCheck(m)})
}

// withCountry adds the country a job routes by to its log, once known.
func withCountry(log *slog.Logger, country string) *slog.Logger {
	if country == "" {
		return log
	}
	return log.With("country", country)
}

// challengeCountry is the country of a sign-in job that carries none (one
// enqueued before messages carried it): its challenge's, which Create
// stored from the same numbering plan; "" for challenges older still,
// which then get the default provider order.
func challengeCountry(log *slog.Logger, country *string, c otp.Challenge) *slog.Logger {
	if *country != "" || c.Country == "" {
		return log
	}
	*country = c.Country
	return withCountry(log, c.Country)
}

// openCode unseals a sign-in job's code; ok is false when the outcome is
// already decided (expired, keys unavailable, a seal that does not open).
func (w *Worker) openCode(ctx context.Context, log *slog.Logger, m schema.Message, now time.Time) (string, Outcome, bool) {
	kr, o, ok := w.keyring(ctx, log, m.ExpiresAt, now)
	if !ok {
		return "", o, false
	}
	code, err := m.OpenCode(kr)
	if err != nil {
		return "", w.done(log, Outcome{Action: DeadLetter, Reason: ReasonUnseal, Detail: err.Error()}), false
	}
	return code, Outcome{}, true
}

// signInText renders a sign-in code's content. The language and "expires
// in N minutes" come from the challenge Create stored: the message's locale
// and createdAt are outside the seal, so a queue writer could otherwise make
// a 3-minute code say 15. prefer is the user's channel, if any.
func (w *Worker) signInText(code, prefer string) func(otp.Challenge) (content, error) {
	return func(c otp.Challenge) (content, error) {
		text, err := w.text.Render(c.Locale, smstext.Data{Code: code, Minutes: int(math.Ceil(c.ExpiresAt.Sub(c.CreatedAt).Minutes()))})
		return content{text: text, code: code, locale: c.Locale, prefer: prefer}, err
	}
}

// content is what a job sends: the text, and for a channel that sends a
// template instead, the code and its language; prefer is the user's
// channel, if any.
type content struct {
	text, code, locale, prefer string
}

// claimAndSend claims m's delivery record, renders its text and delivers
// it: the steps a sign-in code and a Cognito job share. A claim past the
// attempt budget, or a text that cannot be rendered, is recorded as a
// permanent failure and dead-lettered. A sent job with a check gets a
// delivery check (see Resend). signIn says whether m is a sign-in code:
// one without a country takes its challenge's (challengeCountry); country
// is the job's country, so set.
func (w *Worker) claimAndSend(ctx context.Context, log *slog.Logger, m schema.Message, country *string, now time.Time, signIn bool, job sendable) Outcome {
	c, o, ok := w.claim(ctx, log, m, now)
	if !ok {
		return o
	}
	if signIn {
		log = challengeCountry(log, country, c)
	}
	if c.Delivery.Attempts > w.cfg.MaxAttempts {
		w.record(ctx, log, m, c.Delivery.At, otp.PermanentFailure(""))
		return w.done(log, Outcome{Action: DeadLetter, Reason: ReasonAttemptsSpent, Detail: "send attempts exhausted"})
	}
	text, err := job.render(c)
	if err != nil {
		w.record(ctx, log, m, c.Delivery.At, otp.PermanentFailure(""))
		return w.done(log, Outcome{Action: DeadLetter, Reason: ReasonRender, Detail: err.Error()})
	}
	o = w.deliver(ctx, log, m, c, *country, text, now)
	if o.Reason == ReasonSent {
		o.Then = w.followUp(log, m, c, o.receipt, now, job.check)
	}
	return o
}

// keyring returns the keys to open a job that has not expired; ok is false
// when the outcome is already decided.
func (w *Worker) keyring(ctx context.Context, log *slog.Logger, expiresAt, now time.Time) (*otp.Keyring, Outcome, bool) {
	if !now.Before(expiresAt) {
		return nil, w.done(log, Outcome{Action: Delete, Reason: ReasonExpired}), false
	}
	kr, err := w.keys.Keyring(ctx)
	if err != nil {
		log.Error("keys unavailable", "err", err)
		return nil, w.done(log, Outcome{Action: Retry, Delay: w.backoff(1), Reason: ReasonKeysUnavailable}), false
	}
	return kr, Outcome{}, true
}

// claim claims m's delivery record (a challenge's, or a Cognito job's); ok
// is false when the outcome is already decided.
func (w *Worker) claim(ctx context.Context, log *slog.Logger, m schema.Message, now time.Time) (otp.Challenge, Outcome, bool) {
	c, err := w.claims.Claim(ctx, m.ChallengeID, m.To, now, now.Add(-w.cfg.ClaimStale))
	var o Outcome
	switch {
	case err == nil:
		return c, Outcome{}, true
	case errors.Is(err, otp.ErrDelivered):
		o = Outcome{Action: Delete, Reason: ReasonDuplicate}
	case errors.Is(err, otp.ErrNotDeliverable):
		// Voided by a failed Create or enqueue, consumed, a decoy, or gone:
		// nothing to send.
		o = Outcome{Action: Delete, Reason: ReasonNotDeliverable}
	case errors.Is(err, otp.ErrClaimTaken):
		// Another worker is sending it; look again once its claim could be stale.
		o = Outcome{Action: Retry, Delay: w.cfg.ClaimStale, Reason: ReasonClaimBusy}
	default:
		log.Error("claim failed", "err", err)
		o = w.retryAt(m, w.backoff(1), ReasonStoreError, now)
	}
	return otp.Challenge{}, w.done(log, o), false
}

// deliver sends through the provider chain and records the outcome.
func (w *Worker) deliver(ctx context.Context, log *slog.Logger, m schema.Message, c otp.Challenge, country string, text content, now time.Time) Outcome {
	msg := providers.Message{
		ID: m.MessageID, To: m.To, Country: country, Body: text.text, ExpiresAt: m.ExpiresAt,
		Code: text.code, Locale: text.locale, Prefer: text.prefer,
	}
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	start := time.Now()
	receipt, err := w.sendTraced(sctx, msg)
	cancel()
	latency := time.Since(start)
	claimedAt, attempts := c.Delivery.At, c.Delivery.Attempts
	if err == nil {
		w.record(ctx, log, m, claimedAt, otp.Sent(receipt.Provider, receipt.MessageID))
		w.logSent(ctx, log, m, receipt, country, w.env.Now())
		w.sent(receipt.Provider, msg, latency)
		return w.done(log.With("provider", receipt.Provider), Outcome{Action: Delete, Reason: ReasonSent, receipt: receipt})
	}
	var pe *providers.Error
	errors.As(err, &pe)
	log = log.With("err", err.Error())
	switch providers.Classify(err) {
	case providers.Permanent:
		w.record(ctx, log, m, claimedAt, otp.PermanentFailure(providerOf(pe)))
		return w.done(log, Outcome{Action: Delete, Reason: ReasonPermanent})
	case providers.Deferred:
		// Our own rate limit: not an attempt, and not a failure. Messages
		// deferred together get the same wait from the limiter; spreading
		// them over as long again keeps them from coming back as one burst.
		w.record(ctx, log, m, claimedAt, otp.DeferredSend())
		delay := w.backoff(1)
		if pe != nil && pe.RetryAfter > 0 {
			delay = pe.RetryAfter + time.Duration(w.env.Rand()*float64(max(time.Second, pe.RetryAfter)))
		}
		return w.done(log, w.retryAt(m, delay, ReasonDeferred, now))
	default:
		if attempts >= w.cfg.MaxAttempts {
			w.record(ctx, log, m, claimedAt, otp.PermanentFailure(providerOf(pe)))
			return w.done(log, Outcome{Action: DeadLetter, Reason: ReasonAttemptsSpent, Detail: "last: " + err.Error()})
		}
		w.record(ctx, log, m, claimedAt, otp.RetryableFailure(providerOf(pe)))
		delay := w.backoff(attempts)
		if pe != nil && pe.RetryAfter > delay {
			delay = pe.RetryAfter // the provider said when (Twilio's Retry-After)
		}
		return w.done(log, w.retryAt(m, delay, ReasonTransient, now))
	}
}

// sendTraced sends and counts each provider's failures, so an alarm can
// watch one provider (ProviderFailed with Kind=provider-side means the
// provider refuses us: credentials, sender, spend).
func (w *Worker) sendTraced(ctx context.Context, msg providers.Message) (providers.Receipt, error) {
	receipt, attempts, err := w.send.SendTrace(ctx, msg)
	w.countAttempts(attempts)
	return receipt, err
}

// countAttempts counts the providers a pass skipped or saw fail.
func (w *Worker) countAttempts(attempts []providers.Attempt) {
	for _, a := range attempts {
		switch {
		case a.Skipped:
			w.env.Metrics.Count("ProviderSkipped", metrics.Dim{Name: "Provider", Value: a.Provider})
		case a.Kind != 0:
			w.env.Metrics.Count("ProviderFailed", metrics.Dim{Name: "Provider", Value: a.Provider}, metrics.Dim{Name: "Kind", Value: a.Kind.String()})
		}
	}
}

func providerOf(pe *providers.Error) string {
	if pe == nil {
		return ""
	}
	return pe.Provider
}

func (w *Worker) retryAt(m schema.Message, delay time.Duration, reason string, now time.Time) Outcome {
	if !now.Add(delay).Before(m.ExpiresAt) {
		return Outcome{Action: Delete, Reason: ReasonExpired, Detail: "would expire before the retry"}
	}
	return Outcome{Action: Retry, Delay: delay, Reason: reason}
}

// recordBudget bounds the write of a claim's outcome. It runs detached from
// the caller's context: a shutdown or deadline right after a send must not
// leave the claim "sending", which a redelivery would retake and send again.
const recordBudget = 2 * time.Second

// record writes the claim's outcome. A failure here is logged, not acted
// on: the SMS has been sent or not whatever the store says, and a claim we
// could not release goes stale and is retaken.
func (w *Worker) record(ctx context.Context, log *slog.Logger, m schema.Message, claimedAt time.Time, o otp.Outcome) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordBudget)
	defer cancel()
	if err := w.claims.Record(ctx, m.ChallengeID, claimedAt, o); err != nil {
		log.Error("record delivery failed", "state", o.State.String(), "err", err)
		w.env.Metrics.Count("RecordFailed")
	}
}

func (w *Worker) sent(provider string, msg providers.Message, latency time.Duration) {
	dims := []metrics.Dim{{Name: "Provider", Value: provider}, {Name: "Country", Value: msg.Country}}
	w.env.Metrics.Count("Sent", dims...)
	w.env.Metrics.Value("SendLatency", float64(latency.Microseconds())/1000, metrics.Milliseconds, metrics.Dim{Name: "Provider", Value: provider})
	_, segments := smstext.Segments(msg.Body)
	if cost, ok := w.costs.Estimate(provider, msg.Country, segments); ok {
		w.env.Metrics.Value("EstimatedCostUSD", cost, metrics.None, dims...)
	}
}

// done logs the outcome (Process counts it).
func (w *Worker) done(log *slog.Logger, o Outcome) Outcome {
	if log == nil {
		log = w.env.Log
	}
	level := slog.LevelInfo
	if o.Action == DeadLetter {
		level = slog.LevelWarn
	}
	log.Log(context.Background(), level, "message processed", "action", o.Action.String(), "reason", o.Reason, "delay", o.Delay.String())
	return o
}
