package triggers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/handlerenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/verify"
)

// metadataPrefix marks our challengeMetadata; Cognito shows Create only the
// metadata of earlier rounds, so it carries the challenge id (never the code).
const metadataPrefix = "otp:"

// Public challenge parameter names the app sees.
const (
	ParamMaskedPhone = "maskedPhone"
	ParamCodeLength  = "codeLength"
	ParamExpiresIn   = "expiresIn"
	ParamResendAfter = "resendAfter"
	// ParamChannel is the channel the first send attempt will use (sms or
	// whatsapp), from the configured route for the number's country and the
	// user's preferred channel. Create only enqueues: if that attempt fails
	// the worker may deliver by another channel the route allows.
	ParamChannel = "channel"
	// ParamChallengeID is the one private parameter, for Verify.
	ParamChallengeID = verify.ParamChallengeID
)

// Create is the CreateAuthChallenge trigger.
type Create struct {
	cfg   Config
	store Store
	queue Queue
	keys  Keys
	env   Env
}

// NewCreate returns the trigger; cfg must be valid.
func NewCreate(cfg Config, store Store, queue Queue, keys Keys, env Env) (*Create, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil || queue == nil || keys == nil {
		return nil, errors.New("create trigger: store, queue and keys are required")
	}
	return &Create{cfg: cfg, store: store, queue: queue, keys: keys, env: env.WithDefaults()}, nil
}

// request is what one Create invocation works with.
type request struct {
	num      e164.Number
	clientID string
	prefer   string // the user's preferred channel, or ""
	locale   string
	decoy    bool
	test     bool // a configured test number: fixed code, no SMS
	now      time.Time
	log      *slog.Logger
}

// pointerPhone is the reuse pointer's key (otp.Challenge.PointerPhone):
// the number as the pool spells it, which num.E164 is, since Check takes
// the number as it comes (an account registered before PreSignUp required
// canonical E.164 keeps its own spelling).
func (r request) pointerPhone() string { return r.num.E164 }

// Handle answers one CreateAuthChallenge event. In order: reuse a live
// challenge (same session, or same number and app client within the resend
// cooldown) without sending; else check send caps; else store a new code's
// MAC, enqueue its sealed SMS, and point reuse at it.
func (h *Create) Handle(ctx context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
	if err := checkSource(source.Create, h.env.Log, ev.TriggerSource); err != nil {
		return ev, err
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Deadline)
	defer cancel()
	req, err := h.parse(ev)
	if err != nil {
		h.env.Metrics.Count("CreateRefused", metrics.Dim{Name: "Reason", Value: refusalCode(err)})
		return ev, err
	}
	c, sent, err := h.challenge(ctx, ev, req)
	if err != nil {
		var r *Refusal
		if !errors.As(err, &r) {
			req.log.Error("create challenge failed", "err", err)
			err = refuse(CodeUnavailable)
		}
		h.env.Metrics.Count("CreateRefused", metrics.Dim{Name: "Reason", Value: refusalCode(err)})
		return ev, err
	}
	req.log.Info("challenge ready", "challenge", c.ID, "newCode", sent)
	ev.Response = events.CognitoEventUserPoolsCreateAuthChallengeResponse{
		PublicChallengeParameters: map[string]string{
			ParamMaskedPhone: mask.Phone(req.num.E164),
			ParamCodeLength:  strconv.Itoa(h.cfg.Policy.Digits),
			ParamExpiresIn:   strconv.Itoa(ceilSeconds(c.ExpiresAt.Sub(req.now))),
			ParamResendAfter: strconv.Itoa(secondsUntil(h.resendWait(c, req.now))),
			ParamChannel:     h.cfg.Channels.First(req.num.Region, req.prefer),
		},
		PrivateChallengeParameters: map[string]string{ParamChallengeID: c.ID},
		ChallengeMetadata:          metadataPrefix + c.ID,
	}
	return ev, nil
}

func refusalCode(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	return CodeUnavailable
}

// parse checks the event and normalises the number. For an unknown user
// (userNotFound) the number is what the caller typed as the username.
func (h *Create) parse(ev events.CognitoEventUserPoolsCreateAuthChallenge) (request, error) {
	log := h.env.Log.With("trigger", "CreateAuthChallenge")
	if ev.Request.ChallengeName != ChallengeName {
		log.Warn("unexpected challenge name", "challengeName", source.Loggable(ev.Request.ChallengeName))
		return request{}, refuse(CodeBadRequest)
	}
	raw := ev.Request.UserAttributes["phone_number"]
	if ev.Request.UserNotFound {
		raw = ev.UserName
	}
	log = log.With("phone", mask.Phone(raw))
	// PreSignUp judged the number by the whole numbering plan when it
	// entered, and the app client cannot rewrite it: Create checks only
	// that it is E.164 of a country the allow-list holds (package e164,
	// docs/security.md). A typed number not in E.164 (an unknown user's
	// username) is refused alike, which reveals nothing: a known user's
	// number always is.
	num, err := h.cfg.Phone.Check(raw)
	if err != nil {
		log.Info("number refused", "err", err)
		return request{}, phoneRefusal(err)
	}
	locale := ev.Request.UserAttributes["locale"]
	if !schema.ValidLocale(locale) {
		locale = h.cfg.DefaultLocale
	}
	// A decoy stays a decoy: an unregistered test number is never signed in.
	_, test := h.cfg.TestNumbers[num.E164]
	return request{
		num:      num,
		clientID: ev.CallerContext.ClientID,
		locale:   locale,
		prefer:   h.preference(ev.Request.UserAttributes),
		decoy:    ev.Request.UserNotFound,
		test:     test && !ev.Request.UserNotFound,
		// Milliseconds: what the store keeps, so checks agree everywhere.
		now: h.env.Now().UTC().Truncate(time.Millisecond),
		log: log,
	}, nil
}

// preference is the user's preferred channel from the configured
// attribute, or "" when it holds none we know (an unknown user has none).
func (h *Create) preference(attrs map[string]string) string {
	if h.cfg.ChannelAttribute == "" {
		return ""
	}
	v := strings.ToLower(strings.TrimSpace(attrs[h.cfg.ChannelAttribute]))
	if !channel.Valid(v) {
		return ""
	}
	return v
}

// challenge returns the challenge to answer and whether a new code was made.
func (h *Create) challenge(ctx context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge, req request) (otp.Challenge, bool, error) {
	if c, ok, err := h.reuseFromSession(ctx, ev.Request.Session, req); err != nil || ok {
		return c, false, err
	}
	ptr, err := h.store.GetPointer(ctx, req.pointerPhone(), req.clientID)
	switch {
	case errors.Is(err, otp.ErrNotFound):
	case err != nil:
		return otp.Challenge{}, false, err
	default:
		if c, ok, err := h.reuseFromPointer(ctx, ptr, req); err != nil || ok {
			return c, false, err
		}
	}
	return h.newChallenge(ctx, req, ptr.ChallengeID)
}

// reuseFromSession reuses the challenge of this session's earlier round
// (after a wrong answer) so a retry never sends a second SMS.
func (h *Create) reuseFromSession(ctx context.Context, session []*events.CognitoEventUserPoolsChallengeResult, req request) (otp.Challenge, bool, error) {
	if len(session) == 0 || session[len(session)-1] == nil {
		return otp.Challenge{}, false, nil
	}
	id, ok := strings.CutPrefix(session[len(session)-1].ChallengeMetadata, metadataPrefix)
	if !ok || !otp.IsID(id) {
		return otp.Challenge{}, false, nil
	}
	c, err := h.store.GetChallenge(ctx, id)
	if errors.Is(err, otp.ErrNotFound) {
		return otp.Challenge{}, false, nil
	}
	if err != nil {
		return otp.Challenge{}, false, err
	}
	if c.Phone != req.num.E164 || c.Decoy != req.decoy || !c.Live(req.now) {
		return otp.Challenge{}, false, nil
	}
	if c.AttemptsLeft() == 0 {
		return otp.Challenge{}, false, refuseAfter(CodeAttemptsExhausted, h.resendWait(c, req.now))
	}
	return c, true, nil
}

// reuseFromPointer reuses the live challenge the pointer names while the
// resend cooldown runs. A consumed or voided one does not block a new code.
func (h *Create) reuseFromPointer(ctx context.Context, ptr otp.Pointer, req request) (otp.Challenge, bool, error) {
	if !req.now.Before(ptr.CreatedAt.Add(h.cfg.Policy.ResendCooldown)) {
		return otp.Challenge{}, false, nil
	}
	c, err := h.store.GetChallenge(ctx, ptr.ChallengeID)
	if errors.Is(err, otp.ErrNotFound) {
		return otp.Challenge{}, false, nil
	}
	if err != nil {
		return otp.Challenge{}, false, err
	}
	// A decoy never serves a known user (nor the reverse): a new code.
	if !c.Live(req.now) || c.Decoy != req.decoy {
		return otp.Challenge{}, false, nil
	}
	if c.AttemptsLeft() == 0 {
		return otp.Challenge{}, false, refuseAfter(CodeAttemptsExhausted, h.resendWait(c, req.now))
	}
	return c, true, nil
}

// resendWait is how long until a new code may be sent for c's number.
func (h *Create) resendWait(c otp.Challenge, now time.Time) time.Duration {
	return c.CreatedAt.Add(h.cfg.Policy.ResendCooldown).Sub(now)
}

// newChallenge stores the new code's MAC, bumps the send caps and takes the
// reuse pointer in one write, then enqueues the SMS. A concurrent Create (a
// Cognito retry whose first attempt still runs) that took the pointer first
// makes the write fail whole: no quota used, no SMS, and the winner's
// challenge is answered (and reported as no new code). If the enqueue
// fails the challenge is voided, so the pointer names a dead challenge that
// the next Create replaces.
func (h *Create) newChallenge(ctx context.Context, req request, prevID string) (otp.Challenge, bool, error) {
	p := h.cfg.Policy
	id, err := otp.NewID(h.env.Rand)
	if err != nil {
		return otp.Challenge{}, false, fmt.Errorf("challenge id: %w", err)
	}
	code, err := h.newCode(req)
	if err != nil {
		return otp.Challenge{}, false, err
	}
	kr, err := h.keys.Keyring(ctx)
	if err != nil {
		return otp.Challenge{}, false, err
	}
	// A decoy's MAC is of something no answer can be (a code with a letter),
	// so the decoy can only fail; computing it costs what a real one does.
	macOf := code
	if req.decoy {
		macOf += "x"
	}
	keyID, mac := kr.MAC(id, macOf)
	c := otp.Challenge{
		ID: id, Phone: req.num.E164, Country: req.num.Region,
		ClientID: req.clientID, KeyID: keyID, MAC: mac,
		Locale: req.locale, CreatedAt: req.now, ExpiresAt: req.now.Add(p.TTL),
		MaxAttempts: p.MaxAttempts, Decoy: req.decoy,
	}
	counters := otp.Counters(p.Caps, req.num.E164, req.num.Region, req.now, h.env.Shard)
	claim := otp.PointerClaim{PrevID: prevID, StaleBefore: req.now.Add(-p.ResendCooldown)}
	err = h.store.PutChallenge(ctx, c, counters, claim)
	var le *otp.LimitError
	switch {
	case errors.Is(err, otp.ErrPointerTaken):
		req.log.Info("a concurrent create holds the reuse pointer")
		c, err := h.reuseWinner(ctx, req)
		return c, false, err
	case errors.As(err, &le):
		req.log.Info("send cap reached", "caps", le.Error())
		return otp.Challenge{}, false, capRefusal(le, req.now)
	case err != nil:
		// The write may have been applied all the same (an answer cut
		// short, or lost and its retry refused), or may still be on its
		// way: void it, or a replayed Create would reuse a code that was
		// never enqueued. A void that finds nothing leaves a placeholder
		// that refuses the write when it lands (store.Placeholder).
		return otp.Challenge{}, false, errors.Join(err, h.void(c, req.log))
	}
	if err := h.send(ctx, kr, c, code, req); err != nil {
		return otp.Challenge{}, false, errors.Join(err, h.void(c, req.log))
	}
	return c, true, nil
}

// newCode is a test number's fixed code, else a random one. The fixed code
// goes through the same MAC, attempts and caps, so Verify needs no change.
func (h *Create) newCode(req request) (string, error) {
	if req.test {
		return h.cfg.TestNumbers[req.num.E164], nil
	}
	code, err := otp.NewCode(h.env.Rand, h.cfg.Policy.Digits)
	if err != nil {
		return "", fmt.Errorf("new code: %w", err)
	}
	return code, nil
}

// reuseWinner answers with the challenge a concurrent Create made.
func (h *Create) reuseWinner(ctx context.Context, req request) (otp.Challenge, error) {
	ptr, err := h.store.GetPointer(ctx, req.pointerPhone(), req.clientID)
	if err != nil {
		return otp.Challenge{}, err
	}
	c, ok, err := h.reuseFromPointer(ctx, ptr, req)
	if err != nil {
		return otp.Challenge{}, err
	}
	if !ok {
		// The winner's enqueue failed and voided it: the user tries again.
		return otp.Challenge{}, errors.New("concurrent create's challenge is not live")
	}
	return c, nil
}

// send enqueues the sealed SMS. A decoy's message goes the same way, to the
// same queue, so an unknown number takes as long as a known one by
// construction: the worker is its sink, since it claims no decoy (the claim
// refuses it and the message is deleted unsent). A test number gets
// nothing: it is fictional and its code is known.
func (h *Create) send(ctx context.Context, kr *otp.Keyring, c otp.Challenge, code string, req request) error {
	if req.test {
		req.log.Info("test number: no SMS sent", "challenge", c.ID)
		h.env.Metrics.Count("TestNumberChallenge")
		return nil
	}
	msgID, err := otp.NewID(h.env.Rand)
	if err != nil {
		return fmt.Errorf("message id: %w", err)
	}
	m, err := schema.NewMessage(kr, msgID, c.ID, c.Phone, c.Locale, code, c.CreatedAt, c.ExpiresAt)
	if err != nil {
		return err
	}
	m.Channel = req.prefer
	// The worker routes by the country found here, so it needs no
	// numbering plan of its own.
	m.Country = c.Country
	if err := h.queue.Enqueue(ctx, m); err != nil {
		return fmt.Errorf("enqueue sms: %w", err)
	}
	counted := "CodeEnqueued"
	if c.Decoy {
		counted = "DecoyEnqueued"
	}
	h.env.Metrics.Count(counted, metrics.Dim{Name: "Country", Value: req.num.Region})
	return nil
}

// void abandons c after a later step failed (or its own write may have
// failed), so it can neither verify nor be delivered (the worker claims
// only unvoided challenges). It returns the void's own error, already
// logged, or nil.
func (h *Create) void(c otp.Challenge, log *slog.Logger) error {
	// A fresh, short context: the request's may be what ran out.
	ctx, cancel := context.WithTimeout(context.Background(), voidBudget)
	defer cancel()
	if err := h.store.VoidChallenge(ctx, c.ID); err != nil {
		log.Error("void challenge failed", "challenge", c.ID, "err", err)
		return fmt.Errorf("void challenge %s: %w", c.ID, err)
	}
	log.Info("challenge voided", "challenge", c.ID)
	return nil
}

// voidBudget bounds the write that voids a challenge after a failure.
const voidBudget = handlerenv.VoidBudget

// capRefusal: a full per-number counter tells the user when every full one
// has room again; a full country or global counter is nobody's own doing.
func capRefusal(le *otp.LimitError, now time.Time) *Refusal {
	until, ok := le.PhoneRoomAt()
	if !ok {
		return refuse(CodeCapReached)
	}
	return refuseAfter(CodeRateLimited, until.Sub(now))
}
