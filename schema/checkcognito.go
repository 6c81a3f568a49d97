package schema

import (
	"encoding/json"
	"fmt"
)

// CarriesCode reports whether the job's secret is a one-time code that a
// second SMS may carry again (sign-up, resend, reset, attribute and
// sign-in codes): not a temporary password, which no template channel can
// carry and which stays valid for days, and not an account-takeover
// notice, which carries nothing.
func (m CognitoSMS) CarriesCode() bool {
	return m.Kind != KindAdminCreateUser && m.Kind != KindAccountTakeOver
}

// NewCognitoCheck is the body of a delivery check (version 3) that follows
// the send of a version 2 job that provider accepted as providerMessageID:
// the job travels as the trigger enqueued it, its secret still sealed. A
// job that carries no code gets no check.
func NewCognitoCheck(job CognitoSMS, provider, providerMessageID string) ([]byte, error) {
	if !job.CarriesCode() {
		return nil, fmt.Errorf("%w: a %s job carries no code to send again", ErrMalformed, job.Kind)
	}
	raw, err := job.Encode()
	if err != nil {
		return nil, err
	}
	return encodeCheck(raw, provider, providerMessageID)
}

// IsCognitoCheck reports whether body is a check whose job declares
// version 2 (DecodeCognitoCheck); DecodeCheck takes the others.
func IsCognitoCheck(body []byte) bool {
	if !IsCheck(body) {
		return false
	}
	var head struct {
		Job json.RawMessage `json:"job"`
	}
	return json.Unmarshal(body, &head) == nil && IsCognitoSMS(head.Job)
}

// DecodeCognitoCheck parses a check and the version 2 job it carries, as
// strictly as DecodeCheck; a job that carries no code is refused.
func DecodeCognitoCheck(body []byte) (Check, CognitoSMS, error) {
	c, job, err := decodeCheck(body, DecodeCognitoSMS)
	if err != nil {
		return Check{}, CognitoSMS{}, err
	}
	if !job.CarriesCode() {
		return Check{}, CognitoSMS{}, fmt.Errorf("%w: check's job: a %s job carries no code to send again", ErrMalformed, job.Kind)
	}
	return c, job, nil
}
