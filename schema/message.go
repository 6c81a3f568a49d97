package schema

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
)

// MessageVersion is the queue message version this code writes and reads.
const MessageVersion = 1

// MaxMessageBytes bounds what the decoder reads; a v1 message is ~400 bytes.
const MaxMessageBytes = 4096

// Errors the decoder returns; callers branch on them (a worker sends both
// to the dead-letter queue with the reason).
var (
	ErrMalformed          = errors.New("malformed queue message")
	ErrUnsupportedVersion = errors.New("unsupported queue message version")
)

// Message is version 1 of the SMS job the CreateAuthChallenge trigger puts
// on the queue. The code is sealed: only the worker, holding the secret,
// can read it, and the sealing binds it to this message's version, id,
// challenge, destination and expiry. Locale and CreatedAt are outside the
// seal, so the worker takes the text's language and lifetime from the
// challenge it claims, never from them.
type Message struct {
	Version     int       `json:"version"`
	MessageID   string    `json:"messageId"`
	ChallengeID string    `json:"challengeId"`
	To          string    `json:"to"`
	KeyID       string    `json:"keyId"`
	SealedCode  string    `json:"sealedCode"` // base64 (standard, padded) of nonce || ciphertext
	Locale      string    `json:"locale"`
	CreatedAt   time.Time `json:"createdAt"`
	ExpiresAt   time.Time `json:"expiresAt"`
	// Channel is the channel the user prefers (channel.SMS or
	// channel.WhatsApp), omitted when none. Outside the seal: whoever can
	// write to the queue can change it, but only to reorder the providers
	// the route allows.
	Channel string `json:"channel,omitempty"`
	// Country is the destination's ISO 3166 alpha-2 region as Create's
	// numbering plan found it, so the worker routes and counts by it
	// without parsing the number; omitted in messages enqueued before it
	// existed. Outside the seal like Channel: a queue writer can change it,
	// but only to pick another country's route (among the configured
	// providers), never the code, number or expiry.
	Country string `json:"country,omitempty"`
}

// Field shapes, checked by hand rather than with regexps compiled at
// init (see internal/charclass).

// validID is ^[0-9a-f]{32}$.
func validID(s string) bool { return charclass.HexLower.Match(s, 32, 32) }

// validKeyID is ^[0-9a-f]{12}$.
func validKeyID(s string) bool { return charclass.HexLower.Match(s, 12, 12) }

// validTo is ^\+[1-9][0-9]{6,14}$: the numbers Create takes.
func validTo(s string) bool { return country.E164Shaped(s) }

// localeTag is ^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$.
var localeTag = charclass.Tag{First: charclass.Letters, FirstMin: 2, FirstMax: 3, Rest: charclass.Alnum, RestMin: 2, RestMax: 8}

// MaxLocaleLen is the longest language tag a message carries.
const MaxLocaleLen = 35

// ValidLocale reports whether s is a language tag a message may carry
// (en, pt-BR, zh-Hant-TW); the triggers fall back to a default otherwise.
func ValidLocale(s string) bool {
	return len(s) <= MaxLocaleLen && localeTag.Match(s)
}

// NewMessage seals code into a new v1 message. Times are kept to the
// millisecond so they survive JSON unchanged.
func NewMessage(kr *otp.Keyring, messageID, challengeID, to, locale, code string, created, expires time.Time) (Message, error) {
	m := Message{
		Version:     MessageVersion,
		MessageID:   messageID,
		ChallengeID: challengeID,
		To:          to,
		KeyID:       kr.CurrentKeyID(),
		Locale:      locale,
		CreatedAt:   created.UTC().Truncate(time.Millisecond),
		ExpiresAt:   expires.UTC().Truncate(time.Millisecond),
	}
	keyID, sealed, err := kr.Seal([]byte(code), m.associatedData())
	if err != nil {
		return Message{}, fmt.Errorf("seal code: %w", err)
	}
	m.KeyID = keyID
	m.SealedCode = base64.StdEncoding.EncodeToString(sealed)
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// countryRule is what a message's country must be. Two upper-case letters,
// not necessarily a region this build's numbering plan knows: a newer
// Create may know one more, and a country without a route gets the default
// order anyway.
const countryRule = "must be two upper-case letters (ISO 3166 alpha-2) when present"

// countryNotEmpty refuses a country that is present but empty (or null):
// the encoder leaves an empty one out, so "" was written by someone else.
func countryNotEmpty(fields map[string]json.RawMessage, c string) error {
	if _, ok := fields["country"]; ok && c == "" {
		return fmt.Errorf("%w: country %s", ErrMalformed, countryRule)
	}
	return nil
}

// associatedData binds everything a forger would want to change. The key id
// is included too; it selects the key, so it is bound anyway.
func (m Message) associatedData() []byte {
	return otp.AssociatedData(
		"otp-sms",
		strconv.Itoa(m.Version),
		m.MessageID,
		m.ChallengeID,
		m.To,
		m.KeyID,
		strconv.FormatInt(m.ExpiresAt.UnixMilli(), 10),
	)
}

// OpenCode returns the code, or an error if the message was altered or its
// key is no longer configured.
func (m Message) OpenCode(kr *otp.Keyring) (string, error) {
	sealed, err := base64.StdEncoding.DecodeString(m.SealedCode)
	if err != nil {
		return "", fmt.Errorf("%w: sealedCode is not base64", ErrMalformed)
	}
	code, err := kr.Open(m.KeyID, sealed, m.associatedData())
	if err != nil {
		return "", fmt.Errorf("open code of message %s: %w", m.MessageID, err)
	}
	return string(code), nil
}

// Encode returns the message body as JSON.
func (m Message) Encode() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// Validate checks every field; errors name the field but never echo the
// destination or the sealed code.
func (m Message) Validate() error {
	var errs []error
	bad := func(field, why string) { errs = append(errs, fmt.Errorf("%w: %s %s", ErrMalformed, field, why)) }
	if m.Version != MessageVersion {
		errs = append(errs, fmt.Errorf("%w: version %d", ErrUnsupportedVersion, m.Version))
	}
	if !validID(m.MessageID) {
		bad("messageId", "must be 32 lower-case hex digits")
	}
	if !validID(m.ChallengeID) {
		bad("challengeId", "must be 32 lower-case hex digits")
	}
	if !validTo(m.To) {
		bad("to", "must be an E.164 number")
	}
	if !validKeyID(m.KeyID) {
		bad("keyId", "must be 12 lower-case hex digits")
	}
	if n := len(m.SealedCode); n < 40 || n > 64 {
		bad("sealedCode", "has the wrong length")
	}
	if !ValidLocale(m.Locale) {
		bad("locale", "must be a language tag such as en or pt-BR")
	}
	if m.Channel != "" && !channel.Valid(m.Channel) {
		bad("channel", "must be sms or whatsapp when present")
	}
	if m.Country != "" && !country.Wellformed(m.Country) {
		bad("country", countryRule)
	}
	if m.CreatedAt.IsZero() || m.ExpiresAt.IsZero() {
		bad("createdAt/expiresAt", "must be set")
	} else if !m.ExpiresAt.After(m.CreatedAt) || m.ExpiresAt.Sub(m.CreatedAt) > otp.MaxTTL {
		bad("expiresAt", fmt.Sprintf("must be after createdAt and at most %s later", otp.MaxTTL))
	}
	return errors.Join(errs...)
}

// DecodeMessage parses and validates a message body. It refuses unknown
// versions (ErrUnsupportedVersion) before reading the rest, and anything
// malformed, oversized or with unknown fields (ErrMalformed).
func DecodeMessage(body []byte) (Message, error) {
	if len(body) > MaxMessageBytes {
		return Message{}, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(body), MaxMessageBytes)
	}
	var head struct {
		Version *json.Number `json:"version"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return Message{}, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if head.Version == nil {
		return Message{}, fmt.Errorf("%w: no version", ErrMalformed)
	}
	if v := head.Version.String(); v != strconv.Itoa(MessageVersion) {
		return Message{}, fmt.Errorf("%w: version %.10q, this build reads %d", ErrUnsupportedVersion, v, MessageVersion)
	}
	fields, err := exactFields(body, messageFields)
	if err != nil {
		return Message{}, err
	}
	var m Message
	if err := decodeStrict(body, &m); err != nil {
		return Message{}, err
	}
	if _, ok := fields["channel"]; ok && m.Channel == "" {
		return Message{}, fmt.Errorf("%w: channel must be sms or whatsapp when present", ErrMalformed)
	}
	if err := countryNotEmpty(fields, m.Country); err != nil {
		return Message{}, err
	}
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// messageFields are the JSON names of Message's fields, exactly as spelled.
var messageFields = map[string]bool{
	"version": true, "messageId": true, "challengeId": true, "to": true, "keyId": true,
	"sealedCode": true, "locale": true, "createdAt": true, "expiresAt": true, "channel": true, "country": true,
}

// describeJSONError keeps field names but drops values, which could hold a
// phone number.
func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// te.Value is "number 1.5" for a number that does not fit: keep the kind only.
		kind, _, _ := strings.Cut(te.Value, " ")
		return fmt.Sprintf("field %s has JSON type %s", te.Field, kind)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return "a time is not RFC 3339"
	}
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return "unknown field"
	}
	return "invalid JSON"
}

// exactFields reads body's top-level fields and refuses any name not in
// allowed: encoding/json matches names case-insensitively, so "To" would
// fill To, and the schemas allow only the exact names.
func exactFields(body []byte, allowed map[string]bool) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	for name := range fields {
		if !allowed[name] {
			return nil, fmt.Errorf("%w: unknown field", ErrMalformed)
		}
	}
	return fields, nil
}

// decodeStrict decodes body into v: no unknown fields, no trailing data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %s", ErrMalformed, describeJSONError(err))
	}
	if dec.More() {
		return fmt.Errorf("%w: trailing data after the object", ErrMalformed)
	}
	return nil
}
