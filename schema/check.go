package schema

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// CheckVersion is the queue message version of a delivery check: the
// worker's own timer, put on the SMS queue with a delay after a send, that
// asks "was that SMS delivered?" and, when not, lets the worker send the
// same code once more through another provider.
const CheckVersion = 3

// Check is a delivery check. Job is the version 1 message exactly as
// Create enqueued it (DecodeCheck), or a version 2 job with a code exactly
// as the Custom SMS Sender enqueued it (DecodeCognitoCheck), so the code
// travels sealed (bound to the job's id, challenge or record, number and
// expiry) and is never opened to make the check.
// Provider and ProviderMessageID name the send it follows; they are outside
// the seal, so the worker trusts them only as far as the challenge's own
// delivery record agrees (the store's resend claim checks it).
type Check struct {
	Version           int             `json:"version"`
	Job               json.RawMessage `json:"job"`
	Provider          string          `json:"provider"`
	ProviderMessageID string          `json:"providerMessageId"`
}

var (
	providerChars   = charclass.New("a-z0-9-")
	providerIDChars = charclass.New("A-Za-z0-9._:-")
)

// validProvider is ^[a-z0-9-]{1,32}$.
func validProvider(s string) bool { return providerChars.Match(s, 1, 32) }

// validProviderID is ^[A-Za-z0-9._:-]{1,128}$.
func validProviderID(s string) bool { return providerIDChars.Match(s, 1, 128) }

// NewCheck is the body of a check that follows the send of job that
// provider accepted as providerMessageID.
func NewCheck(job Message, provider, providerMessageID string) ([]byte, error) {
	raw, err := job.Encode()
	if err != nil {
		return nil, err
	}
	return encodeCheck(raw, provider, providerMessageID)
}

func (c Check) validate() error {
	switch {
	case c.Version != CheckVersion:
		return fmt.Errorf("%w: check version %d", ErrUnsupportedVersion, c.Version)
	case !validProvider(c.Provider):
		return fmt.Errorf("%w: provider must be a short lower-case name", ErrMalformed)
	case !validProviderID(c.ProviderMessageID):
		return fmt.Errorf("%w: providerMessageId must be 1 to 128 letters, digits or ._:-", ErrMalformed)
	}
	return nil
}

// IsCheck reports whether body declares the check version.
func IsCheck(body []byte) bool {
	if len(body) > MaxMessageBytes {
		return false
	}
	var head struct {
		Version json.Number `json:"version"`
	}
	return json.Unmarshal(body, &head) == nil && head.Version.String() == strconv.Itoa(CheckVersion)
}

// DecodeCheck parses a check and the job it carries, as strictly as
// DecodeMessage: no unknown fields, no trailing data, a valid job.
func DecodeCheck(body []byte) (Check, Message, error) {
	return decodeCheck(body, DecodeMessage)
}

// decodeCheck parses a check and, with decode, the job it carries.
func decodeCheck[J any](body []byte, decode func([]byte) (J, error)) (Check, J, error) {
	var none J
	c, err := decodeCheckEnvelope(body)
	if err != nil {
		return Check{}, none, err
	}
	job, err := decode(c.Job)
	if err != nil {
		return Check{}, none, fmt.Errorf("check's job: %w", err)
	}
	return c, job, nil
}

// decodeCheckEnvelope parses a check without its job: no unknown fields,
// no trailing data, a valid provider and message id.
func decodeCheckEnvelope(body []byte) (Check, error) {
	if len(body) > MaxMessageBytes {
		return Check{}, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(body), MaxMessageBytes)
	}
	var c Check
	if err := decodeStrict(body, &c); err != nil {
		return Check{}, err
	}
	if err := c.validate(); err != nil {
		return Check{}, err
	}
	return c, nil
}

// encodeCheck wraps an encoded job into a check body.
func encodeCheck(job json.RawMessage, provider, providerMessageID string) ([]byte, error) {
	c := Check{Version: CheckVersion, Job: job, Provider: provider, ProviderMessageID: providerMessageID}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(c)
}
