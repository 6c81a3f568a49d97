package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
)

// CognitoRenderer makes the text of an SMS the user pool asked for
// (*smstext.Renderer). A worker whose Renderer lacks it dead-letters such
// jobs rather than send them with the sign-in text.
type CognitoRenderer interface {
	RenderCognito(kind, locale string, d smstext.CognitoData) (string, error)
}

// processCognito handles a version 2 job (from the custom-sms-sender
// trigger) the way process handles a sign-in code: the job's delivery
// record is claimed, sent through the same provider chain, rate limits and
// metrics, and its outcome recorded, with the same duplicate window. The
// text comes from the job's own kind and sealed locale, as it has no
// challenge. A job with a code gets a delivery check after its send, as a
// sign-in code does (processCognitoCheck).
func (w *Worker) processCognito(ctx context.Context, body []byte, country *string) Outcome {
	m, err := schema.DecodeCognitoSMS(body)
	if err != nil {
		return w.done(nil, Outcome{Action: DeadLetter, Reason: ReasonMalformed, Detail: err.Error()})
	}
	// A job enqueued before jobs carried a country gets the default order:
	// its record has none either.
	*country = m.Country
	log := withCountry(w.env.Log.With("message", m.MessageID, "job", m.JobID, "kind", m.Kind, "phone", mask.Phone(m.To)), m.Country)
	now := w.env.Now()
	job, o, ok := w.openCognito(ctx, log, m, now)
	if !ok {
		return o
	}
	return w.claimAndSend(ctx, log, cognitoEnvelope(m), country, now, false, job)
}

// processCognitoCheck handles the delivery check of a version 2 job with
// a code: as for a sign-in code, the same record (the job's, in the
// challenge table) is claimed for one more SMS under the same conditions,
// and the same sealed code goes through the next provider.
func (w *Worker) processCognitoCheck(ctx context.Context, body []byte, country *string) Outcome {
	chk, m, err := schema.DecodeCognitoCheck(body)
	if err != nil {
		return w.done(nil, Outcome{Action: DeadLetter, Reason: ReasonMalformed, Detail: err.Error()})
	}
	*country = m.Country
	log := withCountry(w.env.Log.With("message", m.MessageID, "job", m.JobID, "kind", m.Kind, "phone", mask.Phone(m.To),
		"check", chk.Provider+"/"+chk.ProviderMessageID), m.Country)
	return w.followCheck(ctx, log, chk, cognitoEnvelope(m), country, false, func(now time.Time) (sendable, Outcome, bool) {
		return w.openCognito(ctx, log, m, now)
	})
}

// cognitoEnvelope is a job as deliver, record, retryAt and the claims know
// it: by these fields only.
func cognitoEnvelope(m schema.CognitoSMS) schema.Message {
	return schema.Message{MessageID: m.MessageID, ChallengeID: m.JobID, To: m.To, CreatedAt: m.CreatedAt, ExpiresAt: m.ExpiresAt}
}

// openCognito unseals a job's secret and says what it sends; ok is false
// when the outcome is already decided (expired, keys unavailable, a seal
// that does not open).
func (w *Worker) openCognito(ctx context.Context, log *slog.Logger, m schema.CognitoSMS, now time.Time) (sendable, Outcome, bool) {
	kr, o, ok := w.keyring(ctx, log, m.ExpiresAt, now)
	if !ok {
		return sendable{}, o, false
	}
	secret, err := m.Open(kr)
	if err != nil {
		return sendable{}, w.done(log, Outcome{Action: DeadLetter, Reason: ReasonUnseal, Detail: err.Error()}), false
	}
	job := sendable{render: func(otp.Challenge) (content, error) {
		text, err := w.renderCognito(m, secret)
		c := content{text: text, locale: m.Locale}
		if m.CarriesCode() {
			// A code (sign-up, reset, MFA, SMS_OTP), which a WhatsApp
			// authentication template can carry; a temporary password or
			// a notice it can't, so those go by SMS.
			c.code = secret.Code
		}
		return c, err
	}}
	if m.CarriesCode() {
		job.check = func(provider, id string) ([]byte, error) { return schema.NewCognitoCheck(m, provider, id) }
	}
	return job, Outcome{}, true
}

func (w *Worker) renderCognito(m schema.CognitoSMS, s schema.CognitoSecret) (string, error) {
	r, ok := w.text.(CognitoRenderer)
	if !ok {
		return "", errors.New("the worker's renderer has no texts for Cognito SMS")
	}
	return r.RenderCognito(m.Kind, m.Locale, smstext.CognitoData{Code: s.Code, Username: s.Username})
}
