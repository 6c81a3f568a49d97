package eum

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// Variables ConfigFromEnv reads; Validate's errors name them.
const (
	EnvOriginationIdentity    = "EUM_ORIGINATION_IDENTITY"
	EnvConfigurationSet       = "EUM_CONFIGURATION_SET"
	EnvProtectConfigurationID = "EUM_PROTECT_CONFIGURATION_ID"
	EnvMaxPrice               = "EUM_MAX_PRICE"
	EnvDLTEntityID            = "EUM_DLT_ENTITY_ID"
	EnvDLTTemplateID          = "EUM_DLT_TEMPLATE_ID"
)

// Config is one origination identity and how to send from it.
type Config struct {
	// OriginationIdentity is the phone number, sender ID or pool to send
	// from: an E.164 number, a PhoneNumberId, SenderId, PoolId, or their
	// ARN (an ARN is required for a resource shared from another account).
	OriginationIdentity string
	// ConfigurationSet (name or ARN) selects the event destination that
	// delivery events go to; optional, but without it there are no receipts.
	ConfigurationSet string
	// ProtectConfigurationID applies a protect configuration (country
	// rules against SMS pumping) to every send; optional.
	ProtectConfigurationID string
	// MaxPrice is the most, in USD, one message may cost, e.g. "0.05";
	// a dearer one is refused (PRICE_OVER_THRESHOLD) and the chain moves on.
	MaxPrice string
	// DLTEntityID and DLTTemplateID are the TRAI DLT ids India requires for
	// a sender ID; sent only to Indian numbers, both or neither.
	DLTEntityID, DLTTemplateID string
}

// ConfigFromEnv reads the EUM_* variables; getenv is os.Getenv outside
// tests. It does not validate: New does.
func ConfigFromEnv(getenv func(string) string) Config {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	return Config{
		OriginationIdentity:    get(EnvOriginationIdentity),
		ConfigurationSet:       get(EnvConfigurationSet),
		ProtectConfigurationID: get(EnvProtectConfigurationID),
		MaxPrice:               get(EnvMaxPrice),
		DLTEntityID:            get(EnvDLTEntityID),
		DLTTemplateID:          get(EnvDLTTemplateID),
	}
}

// Shapes from the API reference (SendTextMessage request parameters),
// checked by hand: as regexps (^[A-Za-z0-9_:/+-]{1,256}$ and the like)
// they cost the worker's cold start 800 KB and about 9 ms to compile.
var (
	identityChars = charclass.New("A-Za-z0-9_:/+-")
	nameChars     = charclass.New("A-Za-z0-9_-")
	arnChars      = charclass.New("A-Za-z0-9_:/-")
	partitionTail = charclass.New("a-z-")
)

// validIdentity is ^[A-Za-z0-9_:/+-]{1,256}$.
func validIdentity(s string) bool { return identityChars.Match(s, 1, 256) }

// validConfigSet is ^([A-Za-z0-9_-]{1,64}|arn:[A-Za-z0-9_:/-]{1,252})$.
func validConfigSet(s string) bool {
	arn, isARN := strings.CutPrefix(s, "arn:")
	return nameChars.Match(s, 1, 64) || (isARN && arnChars.Match(arn, 1, 252))
}

// validProtect is ^[A-Za-z0-9_:/-]{1,256}$.
func validProtect(s string) bool { return arnChars.Match(s, 1, 256) }

// validMaxPrice is ^[0-9]{0,2}\.[0-9]{1,5}$.
func validMaxPrice(s string) bool {
	whole, frac, ok := strings.Cut(s, ".")
	return ok && charclass.Digits.Match(whole, 0, 2) && charclass.Digits.Match(frac, 1, 5)
}

// validDLT is ^[0-9]{1,50}$.
func validDLT(s string) bool { return charclass.Digits.Match(s, 1, 50) }

// smsVoiceARN is ^arn:aws[a-z-]*:sms-voice: (the partition's tail has no
// colon, so the first colon after "arn:aws" must open ":sms-voice:").
func smsVoiceARN(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:aws")
	return ok && strings.HasPrefix(rest[partitionTail.Span(rest):], ":sms-voice:")
}

// Validate reports every problem, each naming its variable; values are
// quoted with at most 20 characters.
func (c Config) Validate() error {
	var errs []error
	fail := func(name, why string) { errs = append(errs, fmt.Errorf("%s: %s", name, why)) }
	switch {
	case c.OriginationIdentity == "":
		fail(EnvOriginationIdentity, "required: the phone number, sender ID or pool to send from (its id, E.164 number or ARN)")
	case !validIdentity(c.OriginationIdentity):
		fail(EnvOriginationIdentity, fmt.Sprintf("%.20q is not a phone number, sender ID, pool id or ARN", c.OriginationIdentity))
	case strings.HasPrefix(c.OriginationIdentity, "arn:") && !smsVoiceARN(c.OriginationIdentity):
		fail(EnvOriginationIdentity, "an ARN here must be an sms-voice one (phone-number, sender-id or pool)")
	}
	if c.ConfigurationSet != "" && !validConfigSet(c.ConfigurationSet) {
		fail(EnvConfigurationSet, fmt.Sprintf("%.20q is not a configuration set name (letters, digits, _ and -, up to 64) or ARN", c.ConfigurationSet))
	}
	if c.ProtectConfigurationID != "" && !validProtect(c.ProtectConfigurationID) {
		fail(EnvProtectConfigurationID, fmt.Sprintf("%.20q is not a protect configuration id or ARN", c.ProtectConfigurationID))
	}
	if c.MaxPrice != "" && !validMaxPrice(c.MaxPrice) {
		fail(EnvMaxPrice, fmt.Sprintf("%.20q must be US dollars with a point and up to 5 decimals, e.g. 0.05", c.MaxPrice))
	}
	for _, v := range []struct{ name, val string }{{EnvDLTEntityID, c.DLTEntityID}, {EnvDLTTemplateID, c.DLTTemplateID}} {
		if v.val != "" && !validDLT(v.val) {
			fail(v.name, fmt.Sprintf("%.20q must be 1 to 50 digits", v.val))
		}
	}
	if (c.DLTEntityID == "") != (c.DLTTemplateID == "") {
		fail(EnvDLTTemplateID, fmt.Sprintf("set both %s and %s, or neither", EnvDLTEntityID, EnvDLTTemplateID))
	}
	return errors.Join(errs...)
}
