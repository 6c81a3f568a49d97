package worker

import (
	"context"
	"errors"

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
// challenge.
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
	kr, o, ok := w.keyring(ctx, log, m.ExpiresAt, now)
	if !ok {
		return o
	}
	secret, err := m.Open(kr)
	if err != nil {
		return w.done(log, Outcome{Action: DeadLetter, Reason: ReasonUnseal, Detail: err.Error()})
	}
	// deliver, record and retryAt know a job by these fields only.
	env := schema.Message{MessageID: m.MessageID, ChallengeID: m.JobID, To: m.To, CreatedAt: m.CreatedAt, ExpiresAt: m.ExpiresAt}
	return w.claimAndSend(ctx, log, env, country, now, false, func(otp.Challenge) (content, error) {
		text, err := w.renderCognito(m, secret)
		c := content{text: text, locale: m.Locale}
		if m.Kind != schema.KindAdminCreateUser && m.Kind != schema.KindAccountTakeOver {
			// A code (sign-up, reset, MFA, SMS_OTP), which a WhatsApp
			// authentication template can carry; a temporary password or
			// a notice it can't, so those go by SMS.
			c.code = secret.Code
		}
		return c, err
	})
}

func (w *Worker) renderCognito(m schema.CognitoSMS, s schema.CognitoSecret) (string, error) {
	r, ok := w.text.(CognitoRenderer)
	if !ok {
		return "", errors.New("the worker's renderer has no texts for Cognito SMS")
	}
	return r.RenderCognito(m.Kind, m.Locale, smstext.CognitoData{Code: s.Code, Username: s.Username})
}
