package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// WhatsAppName is the whatsapp provider's name in SMS_PROVIDERS,
// SMS_ROUTES, receipts and errors.
const WhatsAppName = "whatsapp"

// CodeNotACode is the Error.Code of a message that carries no one-time
// code (a temporary password): an authentication template can only carry a
// code, so another channel must take it.
const CodeNotACode = "not-a-code"

// WhatsApp sends one-time codes as WhatsApp authentication templates
// through Twilio's Messages API. It is safe for concurrent use.
type WhatsApp struct {
	p   *Provider // the account: credentials, host, status callback, clock
	cfg WhatsAppConfig
}

var _ providers.Provider = (*WhatsApp)(nil)

// NewWhatsApp checks cfg and returns the provider; opts are Provider's.
func NewWhatsApp(cfg WhatsAppConfig, opts ...Option) (*WhatsApp, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("whatsapp config: %w", err)
	}
	p, err := newAccount(cfg.Account, opts)
	if err != nil {
		return nil, err
	}
	return &WhatsApp{p: p, cfg: cfg}, nil
}

// Name returns "whatsapp".
func (w *WhatsApp) Name() string { return WhatsAppName }

// String names the provider and account, never the token.
func (w *WhatsApp) String() string { return WhatsAppName + "(" + w.cfg.Account.AccountSID + ")" }

// Sender is the rate-limit key: the WhatsApp number or Messaging Service.
func (w *WhatsApp) Sender() string {
	if w.cfg.MessagingServiceSID != "" {
		return w.cfg.MessagingServiceSID
	}
	return whatsappPrefix + w.cfg.From
}

// Send creates one outbound WhatsApp Message: To and From prefixed
// "whatsapp:" (or MessagingServiceSid), ContentSid = the template for
// m.Locale, ContentVariables = {"1": m.Code} (an authentication template's
// one variable is the code), StatusCallback when configured, and with a
// Messaging Service ValidityPeriod as for SMS. m.Body is not sent: the
// template's text, approved per language, is what the user reads.
//
// A message without a code is not sent (NotOnChannel, CodeNotACode), nor
// one whose code has expired (Permanent, CodeExpired). Errors are
// classified by whatsappCodes; a number that is not on WhatsApp is
// NotOnChannel, so the chain moves to an SMS provider.
func (w *WhatsApp) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	if m.Code == "" {
		return providers.Receipt{}, whatsapp.fail(providers.NotOnChannel, CodeNotACode, errNotACode)
	}
	vars, err := json.Marshal(map[string]string{"1": m.Code})
	if err != nil { // a string map always marshals
		return providers.Receipt{}, whatsapp.fail(providers.ProviderSide, "", err)
	}
	params := &api.CreateMessageParams{}
	params.SetTo(whatsappPrefix + m.To)
	if w.cfg.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(w.cfg.MessagingServiceSID)
	} else {
		params.SetFrom(whatsappPrefix + w.cfg.From)
	}
	params.SetContentSid(w.cfg.contentSID(m.Locale))
	params.SetContentVariables(string(vars))
	if cb := w.cfg.Account.StatusCallback; cb != "" {
		params.SetStatusCallback(cb)
	}
	return w.p.create(ctx, params, m.ExpiresAt, w.cfg.MessagingServiceSID != "", whatsapp)
}

var errNotACode = errors.New("the message holds no one-time code; an authentication template carries only a code")
