package receipts

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio/callback"
)

// Variables of the Twilio side; the same names the sms-worker reads, since
// both must hold the same URL: the one the worker sends as StatusCallback
// is the one Twilio signs.
const (
	EnvCallbackURL     = "TWILIO_STATUS_CALLBACK"
	EnvAuthTokenSecret = "TWILIO_AUTH_TOKEN_SECRET"
)

// whatsappPrefix marks a WhatsApp address in a callback's To and From.
const whatsappPrefix = "whatsapp:"

// MaxBody bounds a callback body: Twilio's are under 2 KB; anything larger
// is refused before it is parsed or its signature computed.
const MaxBody = 16 << 10

// TwilioConfig is the Twilio side of the handler.
type TwilioConfig struct {
	// CallbackURL is the public URL Twilio calls, exactly as configured as
	// StatusCallback: Twilio signs it, so it is validated against this,
	// never against what the request says its host was.
	CallbackURL string
	AuthToken   string // the account's auth token; never logged
	// AllowHTTP accepts an http:// CallbackURL: the local stack's own
	// endpoint, which Twilio reaches only through a tunnel. Never in AWS.
	AllowHTTP bool
}

// Validate checks the URL and that a token comes with it.
func (c TwilioConfig) Validate() error {
	if c.CallbackURL == "" {
		return nil
	}
	if why := callback.Check(c.CallbackURL); why != "" && !(c.AllowHTTP && strings.HasPrefix(c.CallbackURL, "http://")) {
		return errors.New(EnvCallbackURL + ": " + why)
	}
	if c.AuthToken == "" {
		return errors.New(EnvAuthTokenSecret + ": required with " + EnvCallbackURL + " (the signature's key)")
	}
	return nil
}

// validMessageSID is ^(SM|MM)[0-9a-f]{32}$.
func validMessageSID(s string) bool {
	return (strings.HasPrefix(s, "SM") || strings.HasPrefix(s, "MM")) && charclass.HexLower.Match(s[2:], 32, 32)
}

// validErrorCode is ^[0-9]{1,6}$.
func validErrorCode(s string) bool { return charclass.Digits.Match(s, 1, 6) }

// twilioStatuses maps Twilio's MessageStatus values; the ones missing
// (receiving, received: inbound; canceled: a scheduled message we never
// schedule) are ignored.
var twilioStatuses = map[string]delivery.Status{
	"accepted": delivery.Sent, "scheduled": delivery.Sent, "queued": delivery.Sent, "sending": delivery.Sent,
	"sent":        delivery.Handed,
	"delivered":   delivery.Delivered,
	"read":        delivery.Delivered,
	"undelivered": delivery.Undelivered,
	"failed":      delivery.Failed,
}

// HandleTwilio takes one status callback. Refusals answer before anything
// is read into the ledger: 413 for an oversized body, 403 for a missing or
// wrong signature (or one for another URL, or a body that can't have
// one), 400 for a signed callback without the fields we need. A callback
// for an unknown message, or a late or duplicate one, gets 204 like any
// other: Twilio has nothing to retry. 500 only when the store failed.
func (h *Handler) HandleTwilio(ctx context.Context, req events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
	const source = "twilio"
	if h.twilio == nil {
		h.reject(source, "not-configured")
		return reply(http.StatusNotFound)
	}
	if req.RequestContext.HTTP.Method != http.MethodPost {
		h.reject(source, "method")
		return reply(http.StatusMethodNotAllowed)
	}
	body, ok := requestBody(req)
	if !ok {
		h.reject(source, "too-large")
		return reply(http.StatusRequestEntityTooLarge)
	}
	sig := header(req.Headers, "X-Twilio-Signature")
	if sig == "" {
		h.reject(source, "no-signature")
		return reply(http.StatusForbidden)
	}
	if !h.twilio.ValidateBody(h.callbackURL, body, sig) {
		h.reject(source, "bad-signature")
		return reply(http.StatusForbidden)
	}
	r, reason := parseTwilio(body)
	switch {
	case reason == "ignored":
		h.env.Metrics.Count("ReceiptIgnored", metrics.Dim{Name: "Source", Value: source})
		return reply(http.StatusNoContent)
	case reason != "":
		h.reject(source, reason)
		return reply(http.StatusBadRequest)
	}
	r.At = h.env.Now()
	if h.apply(ctx, r) == failed {
		return reply(http.StatusInternalServerError)
	}
	return reply(http.StatusNoContent)
}

// parseTwilio reads a signed callback body into a receipt, or names why not.
func parseTwilio(body []byte) (r delivery.Receipt, reason string) {
	if !utf8.Valid(body) {
		return r, "not-utf8"
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return r, "malformed"
	}
	for k, v := range form {
		if !utf8.ValidString(k) || !utf8.ValidString(strings.Join(v, "")) {
			return r, "not-utf8"
		}
		// The validator checks the first value of a repeated key only, so
		// a second one is not covered by the signature.
		if len(v) != 1 {
			return r, "malformed"
		}
	}
	sid, status, code := form.Get("MessageSid"), form.Get("MessageStatus"), form.Get("ErrorCode")
	if !validMessageSID(sid) || status == "" {
		return r, "missing-fields"
	}
	st, ok := twilioStatuses[status]
	if !ok {
		return r, "ignored"
	}
	if code != "" && !validErrorCode(code) {
		return r, "malformed"
	}
	provider := ProviderTwilio
	if strings.HasPrefix(form.Get("To"), whatsappPrefix) || strings.HasPrefix(form.Get("From"), whatsappPrefix) {
		// Sent by the whatsapp provider on the same account and callback
		// URL; the worker recorded it under that name.
		provider = ProviderWhatsApp
	}
	return delivery.Receipt{Provider: provider, MessageID: sid, Status: st, ErrorCode: code}, ""
}

// requestBody is the raw body, or false when it is over MaxBody.
func requestBody(req events.LambdaFunctionURLRequest) ([]byte, bool) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), len(req.Body) <= MaxBody
	}
	if base64.StdEncoding.DecodedLen(len(req.Body)) > MaxBody+3 {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, true // no signature can match nothing
	}
	return b, len(b) <= MaxBody
}

// header finds a header by name in any case (function URLs lower-case them).
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func reply(status int) events.LambdaFunctionURLResponse {
	return events.LambdaFunctionURLResponse{StatusCode: status}
}
