package customsms

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// Decrypter opens request.code for a user pool (package esdk).
type Decrypter interface {
	Decrypt(ctx context.Context, ciphertext []byte, userPoolID string) ([]byte, error)
}

// Store holds the delivery record the worker claims and the send counters
// (store/dynamo, store/mem): the record is a challenge no answer can pass.
type Store interface {
	PutChallenge(ctx context.Context, c otp.Challenge, counters []otp.Counter, claim otp.PointerClaim) error
	GetChallenge(ctx context.Context, id string) (otp.Challenge, error)
}

// Queue takes version 2 SMS jobs (queue.SQS).
type Queue interface {
	EnqueueCognito(ctx context.Context, m schema.CognitoSMS) error
}

// Keys yields the keyring that seals codes for the worker.
type Keys interface {
	Keyring(ctx context.Context) (*otp.Keyring, error)
}

// recordClient is the app client name under which the store keeps the
// records' reuse pointers, apart from every real app client's.
const recordClient = "cognito-custom-sms-sender"

// takeoverWindow: account-takeover notices carry no code, so their
// duplicate key is the user and this window of time.
const takeoverWindow = 10 * time.Minute

// Handler is the Custom SMS Sender trigger.
type Handler struct {
	cfg   Config
	codes Decrypter
	store Store
	queue Queue
	keys  Keys
	env   Env
}

// New returns the handler; cfg must be valid.
func New(cfg Config, codes Decrypter, store Store, queue Queue, keys Keys, env Env) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if codes == nil || store == nil || queue == nil || keys == nil {
		return nil, errors.New("custom SMS sender: decrypter, store, queue and keys are required")
	}
	return &Handler{cfg: cfg, codes: codes, store: store, queue: queue, keys: keys, env: env.WithDefaults()}, nil
}

// job is one event, checked.
type job struct {
	kind   string
	num    e164.Number
	locale string
	secret schema.CognitoSecret
	now    time.Time
	log    *slog.Logger
}

// Handle enqueues the SMS of one event, or refuses it with a *Refusal and
// nothing written. Cognito ignores the response; the event comes back.
func (h *Handler) Handle(ctx context.Context, ev Event) (Event, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Deadline)
	defer cancel()
	log := h.env.Log.With("trigger", "CustomSMSSender", "source", source.Loggable(ev.TriggerSource))
	// Before parsing, so a refusal's log line says whose SMS it was.
	if kind, ok := Kind(ev.TriggerSource); ok {
		log = log.With("kind", kind)
	}
	if raw := ev.Request.UserAttributes["phone_number"]; raw != "" {
		log = log.With("phone", mask.Phone(raw))
	}
	j, err := h.parse(ctx, ev, log)
	if err == nil {
		err = h.enqueue(ctx, ev, j)
	}
	if err != nil {
		var r *Refusal
		if !errors.As(err, &r) {
			r = refuse(ReasonUnavailable, err)
		}
		// The cause (a KMS or Encryption SDK error, the number's refusal)
		// never holds the code, and numbers in it are masked.
		args := []any{"reason", r.Reason}
		if cause := errors.Unwrap(r); cause != nil {
			args = append(args, "cause", cause.Error())
		}
		log.Warn("custom SMS refused", args...)
		h.env.Metrics.Count("CustomSMSRefused", metrics.Dim{Name: "Reason", Value: r.Reason})
		return ev, r
	}
	return ev, nil
}

// parse checks the event and decrypts its code.
func (h *Handler) parse(ctx context.Context, ev Event, log *slog.Logger) (job, error) {
	// Another trigger's event is refused as every trigger refuses it
	// (OTP_BAD_REQUEST), before anything is read or decrypted.
	// CheckSource names the trigger itself: h.env.Log, not log, which does too.
	if err := refusal.CheckSource(sources, h.env.Log, ev.TriggerSource); err != nil {
		return job{}, refuse(ReasonUnknownSource, err)
	}
	kind, _ := Kind(ev.TriggerSource)
	if ev.Request.Type != RequestTypeV1 {
		return job{}, refuse(ReasonBadRequest, fmt.Errorf("request type %.40q", ev.Request.Type))
	}
	if h.cfg.UserPoolID != "" && ev.UserPoolID != h.cfg.UserPoolID {
		return job{}, refuse(ReasonBadRequest, errors.New("event of another user pool"))
	}
	raw := ev.Request.UserAttributes["phone_number"]
	if raw == "" {
		return job{}, refuse(ReasonNoPhone, nil)
	}
	num, err := h.cfg.Phone.Check(raw)
	if err != nil {
		return job{}, refuse(ReasonNumberRefused, err)
	}
	secret, err := h.secret(ctx, ev, kind)
	if err != nil {
		return job{}, err
	}
	locale := ev.Request.UserAttributes["locale"]
	if !schema.ValidLocale(locale) {
		locale = h.cfg.DefaultLocale
	}
	return job{
		kind: kind, num: num, locale: locale, secret: secret,
		now: h.env.Now().UTC().Truncate(time.Millisecond),
		log: log.With("country", num.Region),
	}, nil
}

// secret decrypts request.code; an account-takeover notice has none.
func (h *Handler) secret(ctx context.Context, ev Event, kind string) (schema.CognitoSecret, error) {
	if kind == schema.KindAccountTakeOver {
		return schema.CognitoSecret{}, nil
	}
	ct, err := base64.StdEncoding.DecodeString(ev.Request.Code)
	if err != nil || len(ct) == 0 {
		return schema.CognitoSecret{}, refuse(ReasonNotBase64, nil)
	}
	pt, err := h.codes.Decrypt(ctx, ct, ev.UserPoolID)
	if err != nil {
		return schema.CognitoSecret{}, refuse(ReasonUndecryptable, err)
	}
	code := string(pt)
	if !plausible(kind, code) {
		return schema.CognitoSecret{}, refuse(ReasonBadCode, nil)
	}
	s := schema.CognitoSecret{Code: code}
	if kind == schema.KindAdminCreateUser {
		s.Username = ev.UserName
	}
	// The worker renders with the same check; refusing here keeps a job it
	// would dead-letter from using the caps and answering Cognito "sent".
	if err := smstext.ValidCognito(kind, smstext.CognitoData{Code: s.Code, Username: s.Username}); err != nil {
		return schema.CognitoSecret{}, refuse(ReasonBadCode, err)
	}
	return s, nil
}

// plausible: a code is 4 to 10 ASCII letters or digits; a temporary
// password up to 256 printable characters on one line.
func plausible(kind, s string) bool {
	if kind == schema.KindAdminCreateUser {
		return s != "" && len(s) <= 256 && !strings.ContainsAny(s, "\r\n\x00")
	}
	if len(s) < 4 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// enqueue writes the delivery record with the send-cap increments in one
// transaction, then enqueues the sealed job. A retried event derives the
// same record id: its write finds the record, no cap is counted again, and
// duplicate decides whether the job must be enqueued again.
func (h *Handler) enqueue(ctx context.Context, ev Event, j job) error {
	kr, err := h.keys.Keyring(ctx)
	if err != nil {
		return err
	}
	id := jobID(kr, ev, j)
	rec := h.record(kr, id, j)
	var counters []otp.Counter
	// An administrator creating users is not a pumping target; every other
	// kind can be set off by whoever knows a username or a number.
	if j.kind != schema.KindAdminCreateUser {
		counters = otp.Counters(h.cfg.Caps, j.num.E164, j.num.Region, j.now, h.env.Shard)
	}
	// The record's pointer is never contested: any older one may go.
	claim := otp.PointerClaim{StaleBefore: j.now.Add(time.Hour)}
	err = h.store.PutChallenge(ctx, rec, counters, claim)
	var le *otp.LimitError
	switch {
	case errors.Is(err, otp.ErrExists):
		return h.duplicate(ctx, kr, id, j)
	case errors.As(err, &le):
		return capRefusal(le, j.now)
	case err != nil:
		return err
	}
	return h.send(ctx, kr, id, j, rec.ExpiresAt, "CustomSMSEnqueued")
}

// send seals the code into a job for record id and enqueues it. A failed
// enqueue leaves the record as it is: Cognito's retry finds it unclaimed
// and enqueues again (duplicate), so nothing is lost, and the worker's
// claim on the record keeps two queued copies to one SMS.
// metric names the count: a retry's copy is not a second SMS.
func (h *Handler) send(ctx context.Context, kr *otp.Keyring, id string, j job, expires time.Time, metric string) error {
	msgID, err := otp.NewID(h.env.Rand)
	if err != nil {
		return fmt.Errorf("message id: %w", err)
	}
	m, err := schema.NewCognitoSMS(kr, j.kind, msgID, id, j.num.E164, j.locale, j.secret, j.now, expires)
	if err != nil {
		return err
	}
	// The country the caps counted is the one the worker routes by.
	m.Country = j.num.Region
	if err := h.queue.EnqueueCognito(ctx, m); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	j.log.Info("custom SMS enqueued", "job", id, "message", msgID)
	h.env.Metrics.Count(metric, metrics.Dim{Name: "Kind", Value: j.kind}, metrics.Dim{Name: "Country", Value: j.num.Region})
	return nil
}

// record is the job's delivery record: a challenge that can never be
// answered (no attempts, and a MAC of nothing anyone holds).
func (h *Handler) record(kr *otp.Keyring, id string, j job) otp.Challenge {
	keyID, mac := kr.MAC(id, "\x00no answer")
	window := h.cfg.DeliveryWindow
	if life, ok := codeLife[j.kind]; ok {
		// Past the code's life the SMS, or a resend of it, would only
		// cost money.
		window = min(window, life)
	}
	return otp.Challenge{
		ID: id, Phone: j.num.E164, ClientID: recordClient, KeyID: keyID, MAC: mac,
		Locale: j.locale, CreatedAt: j.now, ExpiresAt: j.now.Add(window),
	}
}

// codeLife is how long Cognito accepts each kind's code (Cognito developer
// guide): verification codes (sign-up, resend, attribute) 24 hours, a
// password-reset code one hour, an MFA or SMS_OTP code the app client's
// authentication session (AuthSessionValidity, 3 to 15 minutes, default
// 3: we take 3, so no SMS goes out for a code that may be dead). The
// record's expiry, which bounds delivery and resends, is the shorter of
// this and the delivery window. A temporary password lives days and a
// notice has no code: the window alone bounds them.
var codeLife = map[string]time.Duration{
	schema.KindSignUp:              24 * time.Hour,
	schema.KindResendCode:          24 * time.Hour,
	schema.KindUpdateUserAttribute: 24 * time.Hour,
	schema.KindVerifyUserAttribute: 24 * time.Hour,
	schema.KindForgotPassword:      time.Hour,
	schema.KindAuthentication:      3 * time.Minute,
}

// duplicate answers a retried event. Cognito retries when the first
// attempt failed or timed out, so whether its enqueue happened is unknown:
// while no worker has claimed the record, the job is enqueued again (the
// claim keeps the copies to one SMS); once claimed, the job is the
// worker's and the retry only succeeds.
func (h *Handler) duplicate(ctx context.Context, kr *otp.Keyring, id string, j job) error {
	c, err := h.store.GetChallenge(ctx, id)
	if err != nil {
		return fmt.Errorf("read record %s: %w", id, err)
	}
	h.env.Metrics.Count("CustomSMSDuplicate", metrics.Dim{Name: "Kind", Value: j.kind})
	switch {
	case c.Voided:
		// Only versions before re-enqueueing voided a record whose enqueue
		// failed; within its retention such a retry is still refused.
		return refuse(ReasonEarlierFailed, nil)
	case c.Delivery.State == otp.DeliveryNone:
		j.log.Info("retried event: job not claimed yet, enqueued again", "job", id)
		return h.send(ctx, kr, id, j, c.ExpiresAt, "CustomSMSReenqueued")
	}
	j.log.Info("retried event: already taken by the worker", "job", id, "delivery", c.Delivery.State.String())
	return nil
}

// jobID is a keyed hash of what stays the same when Cognito retries an
// event: pool, user, kind and code (a retry carries the same code, freshly
// encrypted or not). A notice without a code uses a window of time instead.
func jobID(kr *otp.Keyring, ev Event, j job) string {
	fields := []string{ev.UserPoolID, ev.UserName, j.kind, j.secret.Code}
	if j.kind == schema.KindAccountTakeOver {
		fields = append(fields, strconv.FormatInt(j.now.UnixMilli()/takeoverWindow.Milliseconds(), 10))
	}
	_, mac := kr.MAC("cognito-custom-sms", string(otp.AssociatedData(fields...)))
	return hex.EncodeToString(mac[:16])
}

// capRefusal: a full per-number counter says when to try again.
func capRefusal(le *otp.LimitError, now time.Time) *Refusal {
	until, ok := le.PhoneRoomAt()
	if !ok {
		return refuse(ReasonCapReached, le)
	}
	r := refuse(ReasonRateLimited, le)
	r.RetryAfter = max(1, int((until.Sub(now)+time.Second-1)/time.Second))
	return r
}
