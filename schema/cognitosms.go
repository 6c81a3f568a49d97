package schema

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
)

// CognitoSMSVersion is the queue message version of a Cognito SMS job: an
// SMS the user pool itself asked for through its Custom SMS Sender trigger
// (sign-up, password reset, attribute verification, temporary password,
// MFA and SMS_OTP codes, account-takeover notices). v1 is the sign-in code
// of our own CreateAuthChallenge; both travel on the same queue.
const CognitoSMSVersion = 2

// Kinds of Cognito SMS, one per Custom SMS Sender trigger source.
const (
	KindSignUp              = "signUp"
	KindResendCode          = "resendCode"
	KindForgotPassword      = "forgotPassword"
	KindUpdateUserAttribute = "updateUserAttribute"
	KindVerifyUserAttribute = "verifyUserAttribute"
	KindAdminCreateUser     = "adminCreateUser"
	KindAccountTakeOver     = "accountTakeOver"
	KindAuthentication      = "authentication"
)

// CognitoKinds lists every kind, in the order of the docs.
var CognitoKinds = []string{
	KindSignUp, KindResendCode, KindForgotPassword, KindUpdateUserAttribute,
	KindVerifyUserAttribute, KindAdminCreateUser, KindAccountTakeOver, KindAuthentication,
}

// MaxCognitoDeliveryWindow bounds how long a Cognito SMS job may wait for
// delivery: as for sign-in codes, a late SMS is worse than none.
const MaxCognitoDeliveryWindow = otp.MaxTTL

// CognitoSecret is what a Cognito SMS job seals: the code (or temporary
// password) and, for AdminCreateUser, the username it goes with. An
// account-takeover notice seals nothing but still carries the envelope, so
// every job is authenticated the same way.
type CognitoSecret struct {
	Code     string `json:"c,omitempty"`
	Username string `json:"u,omitempty"`
}

// CognitoSMS is version 2 of the SMS job. JobID names the delivery record
// the worker claims (derived from the Cognito event, so a retried trigger
// writes the same one); the sealing binds the secret to version, kind, ids,
// destination, key, locale and expiry, so none of them can be changed in
// the queue. Country alone is outside the seal, as in a v1 message.
type CognitoSMS struct {
	Version   int       `json:"version"`
	Kind      string    `json:"kind"`
	MessageID string    `json:"messageId"`
	JobID     string    `json:"jobId"`
	To        string    `json:"to"`
	KeyID     string    `json:"keyId"`
	Sealed    string    `json:"sealed"` // base64 (standard, padded) of nonce || ciphertext of CognitoSecret as JSON
	Locale    string    `json:"locale"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Country is the destination's ISO 3166 alpha-2 region as the trigger's
	// numbering plan found it (the one its per-country caps counted), so
	// the worker routes and counts by it without parsing the number;
	// omitted in jobs enqueued before it existed. Outside the seal, like a
	// v1 message's: changing it only picks another country's route.
	Country string `json:"country,omitempty"`
}

// NewCognitoSMS seals s into a new v2 message.
func NewCognitoSMS(kr *otp.Keyring, kind, messageID, jobID, to, locale string, s CognitoSecret, created, expires time.Time) (CognitoSMS, error) {
	m := CognitoSMS{
		Version: CognitoSMSVersion, Kind: kind, MessageID: messageID, JobID: jobID, To: to,
		KeyID: kr.CurrentKeyID(), Locale: locale,
		CreatedAt: created.UTC().Truncate(time.Millisecond),
		ExpiresAt: expires.UTC().Truncate(time.Millisecond),
	}
	pt, err := json.Marshal(s)
	if err != nil {
		return CognitoSMS{}, fmt.Errorf("encode secret: %w", err)
	}
	keyID, sealed, err := kr.Seal(pt, m.associatedData())
	if err != nil {
		return CognitoSMS{}, fmt.Errorf("seal secret: %w", err)
	}
	m.KeyID = keyID
	m.Sealed = base64.StdEncoding.EncodeToString(sealed)
	if err := m.Validate(); err != nil {
		return CognitoSMS{}, err
	}
	return m, nil
}

func (m CognitoSMS) associatedData() []byte {
	return otp.AssociatedData(
		"otp-cognito-sms",
		strconv.Itoa(m.Version),
		m.Kind,
		m.MessageID,
		m.JobID,
		m.To,
		m.KeyID,
		m.Locale,
		strconv.FormatInt(m.CreatedAt.UnixMilli(), 10),
		strconv.FormatInt(m.ExpiresAt.UnixMilli(), 10),
	)
}

// Open returns the sealed secret, or an error if the message was altered
// or its key is no longer configured.
func (m CognitoSMS) Open(kr *otp.Keyring) (CognitoSecret, error) {
	sealed, err := base64.StdEncoding.DecodeString(m.Sealed)
	if err != nil {
		return CognitoSecret{}, fmt.Errorf("%w: sealed is not base64", ErrMalformed)
	}
	pt, err := kr.Open(m.KeyID, sealed, m.associatedData())
	if err != nil {
		return CognitoSecret{}, fmt.Errorf("open message %s: %w", m.MessageID, err)
	}
	var s CognitoSecret
	if err := json.Unmarshal(pt, &s); err != nil {
		return CognitoSecret{}, fmt.Errorf("%w: sealed secret is not JSON", ErrMalformed)
	}
	return s, nil
}

// Encode returns the message body as JSON.
func (m CognitoSMS) Encode() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// maxSealedLen fits a 256-character secret and a 128-character username
// (Cognito's limits) with JSON escaping, nonce and tag.
const maxSealedLen = 2048

// Validate checks every field; errors name the field, never its value.
func (m CognitoSMS) Validate() error {
	var errs []error
	bad := func(field, why string) { errs = append(errs, fmt.Errorf("%w: %s %s", ErrMalformed, field, why)) }
	if m.Version != CognitoSMSVersion {
		errs = append(errs, fmt.Errorf("%w: version %d", ErrUnsupportedVersion, m.Version))
	}
	if !slices.Contains(CognitoKinds, m.Kind) {
		bad("kind", "is not a known Cognito SMS kind")
	}
	if !validID(m.MessageID) {
		bad("messageId", "must be 32 lower-case hex digits")
	}
	if !validID(m.JobID) {
		bad("jobId", "must be 32 lower-case hex digits")
	}
	if !validTo(m.To) {
		bad("to", "must be an E.164 number")
	}
	if !validKeyID(m.KeyID) {
		bad("keyId", "must be 12 lower-case hex digits")
	}
	if n := len(m.Sealed); n < 40 || n > maxSealedLen {
		bad("sealed", "has the wrong length")
	}
	if !ValidLocale(m.Locale) {
		bad("locale", "must be a language tag such as en or pt-BR")
	}
	if m.Country != "" && !country.Wellformed(m.Country) {
		bad("country", countryRule)
	}
	if m.CreatedAt.IsZero() || m.ExpiresAt.IsZero() {
		bad("createdAt/expiresAt", "must be set")
	} else if !m.ExpiresAt.After(m.CreatedAt) || m.ExpiresAt.Sub(m.CreatedAt) > MaxCognitoDeliveryWindow {
		bad("expiresAt", fmt.Sprintf("must be after createdAt and at most %s later", MaxCognitoDeliveryWindow))
	}
	return errors.Join(errs...)
}

// IsCognitoSMS reports whether body declares version 2, so a consumer can
// pick the decoder; anything else goes to DecodeMessage, which judges it.
func IsCognitoSMS(body []byte) bool {
	if len(body) > MaxMessageBytes {
		return false
	}
	var head struct {
		Version json.Number `json:"version"`
	}
	return json.Unmarshal(body, &head) == nil && head.Version.String() == strconv.Itoa(CognitoSMSVersion)
}

// DecodeCognitoSMS parses and validates a version 2 body, with the same
// strictness as DecodeMessage: exact field names, no unknown fields, no
// trailing data.
func DecodeCognitoSMS(body []byte) (CognitoSMS, error) {
	if len(body) > MaxMessageBytes {
		return CognitoSMS{}, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(body), MaxMessageBytes)
	}
	fields, err := exactFields(body, cognitoFields)
	if err != nil {
		return CognitoSMS{}, err
	}
	var m CognitoSMS
	if err := decodeStrict(body, &m); err != nil {
		return CognitoSMS{}, err
	}
	if err := countryNotEmpty(fields, m.Country); err != nil {
		return CognitoSMS{}, err
	}
	if err := m.Validate(); err != nil {
		return CognitoSMS{}, err
	}
	return m, nil
}

var cognitoFields = map[string]bool{
	"version": true, "kind": true, "messageId": true, "jobId": true, "to": true, "keyId": true,
	"sealed": true, "locale": true, "createdAt": true, "expiresAt": true, "country": true,
}
