package eum

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
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

// Shapes from the API reference (SendTextMessage request parameters).
var (
	reIdentity    = regexp.MustCompile(`^[A-Za-z0-9_:/+-]{1,256}$`)
	reConfigSet   = regexp.MustCompile(`^([A-Za-z0-9_-]{1,64}|arn:[A-Za-z0-9_:/-]{1,252})$`)
	reProtect     = regexp.MustCompile(`^[A-Za-z0-9_:/-]{1,256}$`)
	reMaxPrice    = regexp.MustCompile(`^[0-9]{0,2}\.[0-9]{1,5}$`)
	reDLT         = regexp.MustCompile(`^[0-9]{1,50}$`)
	reArnSMSVoice = regexp.MustCompile(`^arn:aws[a-z-]*:sms-voice:`)
)

// Validate reports every problem, each naming its variable; values are
// quoted with at most 20 characters.
func (c Config) Validate() error {
	var errs []error
	fail := func(name, why string) { errs = append(errs, fmt.Errorf("%s: %s", name, why)) }
	switch {
	case c.OriginationIdentity == "":
		fail(EnvOriginationIdentity, "required: the phone number, sender ID or pool to send from (its id, E.164 number or ARN)")
	case !reIdentity.MatchString(c.OriginationIdentity):
		fail(EnvOriginationIdentity, fmt.Sprintf("%.20q is not a phone number, sender ID, pool id or ARN", c.OriginationIdentity))
	case strings.HasPrefix(c.OriginationIdentity, "arn:") && !reArnSMSVoice.MatchString(c.OriginationIdentity):
		fail(EnvOriginationIdentity, "an ARN here must be an sms-voice one (phone-number, sender-id or pool)")
	}
	if c.ConfigurationSet != "" && !reConfigSet.MatchString(c.ConfigurationSet) {
		fail(EnvConfigurationSet, fmt.Sprintf("%.20q is not a configuration set name (letters, digits, _ and -, up to 64) or ARN", c.ConfigurationSet))
	}
	if c.ProtectConfigurationID != "" && !reProtect.MatchString(c.ProtectConfigurationID) {
		fail(EnvProtectConfigurationID, fmt.Sprintf("%.20q is not a protect configuration id or ARN", c.ProtectConfigurationID))
	}
	if c.MaxPrice != "" && !reMaxPrice.MatchString(c.MaxPrice) {
		fail(EnvMaxPrice, fmt.Sprintf("%.20q must be US dollars with a point and up to 5 decimals, e.g. 0.05", c.MaxPrice))
	}
	for _, v := range []struct{ name, val string }{{EnvDLTEntityID, c.DLTEntityID}, {EnvDLTTemplateID, c.DLTTemplateID}} {
		if v.val != "" && !reDLT.MatchString(v.val) {
			fail(v.name, fmt.Sprintf("%.20q must be 1 to 50 digits", v.val))
		}
	}
	if (c.DLTEntityID == "") != (c.DLTTemplateID == "") {
		fail(EnvDLTTemplateID, fmt.Sprintf("set both %s and %s, or neither", EnvDLTEntityID, EnvDLTTemplateID))
	}
	return errors.Join(errs...)
}
