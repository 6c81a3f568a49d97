package sns

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// Variable names of the settings; Validate's errors name them.
const (
	EnvSenderID          = "SNS_SENDER_ID"
	EnvOriginationNumber = "SNS_ORIGINATION_NUMBER"
	EnvMaxPrice          = "SNS_MAX_PRICE"
	EnvDLTEntityID       = "SNS_DLT_ENTITY_ID"
	EnvDLTTemplateID     = "SNS_DLT_TEMPLATE_ID"
)

// Config holds the per-message SNS SMS settings. Every field is optional;
// an empty one is not sent, so the account-level default (SetSMSAttributes:
// DefaultSenderID and so on) applies.
type Config struct {
	// SenderID is the alphanumeric sender shown on the phone where the
	// destination country supports it (AWS.SNS.SMS.SenderID): 3 to 11
	// letters, digits or hyphens with at least one letter.
	SenderID string
	// OriginationNumber is the number (long code, 10DLC, toll-free or short
	// code) to send from (AWS.MM.SMS.OriginationNumber): 5 to 14 digits with
	// an optional leading "+". It must be one the account owns.
	OriginationNumber string
	// MaxPrice is the most, in USD, SNS may spend on one message
	// (AWS.SNS.SMS.MaxPrice), a decimal such as "0.50".
	MaxPrice string
	// DLTEntityID and DLTTemplateID are the TRAI DLT registration ids needed
	// to send to India (AWS.MM.SMS.EntityId, AWS.MM.SMS.TemplateId): digits,
	// both or neither.
	DLTEntityID   string
	DLTTemplateID string
}

// ConfigFromEnv reads the settings; getenv is os.Getenv outside tests.
// Surrounding spaces are dropped. Call Validate (New does) on the result.
func ConfigFromEnv(getenv func(string) string) Config {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	return Config{
		SenderID:          get(EnvSenderID),
		OriginationNumber: get(EnvOriginationNumber),
		MaxPrice:          get(EnvMaxPrice),
		DLTEntityID:       get(EnvDLTEntityID),
		DLTTemplateID:     get(EnvDLTTemplateID),
	}
}

// The formats are those the SNS Developer Guide gives for the attributes
// ("Publishing to a mobile phone", Sending a message (AWS SDKs)).
var (
	// "3–11 alphanumeric characters or hyphen (-) characters, including at
	// least one letter and no spaces".
	senderIDChars = charclass.New("A-Za-z0-9-")
)

// The checks are by hand, not regexps compiled at init (see
// internal/charclass); each comment gives the pattern it is.

// validSenderID is ^[A-Za-z0-9-]{3,11}$ with a letter ([A-Za-z]).
func validSenderID(s string) bool {
	return senderIDChars.Match(s, 3, 11) && charclass.Letters.Any(s)
}

// validOriginationNumber is ^(\+[1-9][0-9]{4,13}|[0-9]{5,14})$: "A custom
// string of 5–14 numbers, which can include an optional leading plus sign
// (+)": E.164 long codes and toll-free numbers, and short codes.
func validOriginationNumber(s string) bool {
	return charclass.PlusNumber(s, 4, 13) || charclass.Digits.Match(s, 5, 14)
}

// validDecimal is ^[0-9]{1,6}(\.[0-9]{1,6})?$: a plain decimal, no sign,
// exponent, spaces or thousands separators.
func validDecimal(s string) bool {
	whole, frac, point := strings.Cut(s, ".")
	return charclass.Digits.Match(whole, 1, 6) && (!point || charclass.Digits.Match(frac, 1, 6))
}

// validDLTID is ^[0-9]{1,50}$: TRAI ids are numeric (19 digits in
// practice); SNS takes 1 to 50 characters.
func validDLTID(s string) bool { return charclass.Digits.Match(s, 1, 50) }

// Validate reports every problem at once, each error naming its variable.
func (c Config) Validate() error {
	var errs []error
	fail := func(name, why string) { errs = append(errs, fmt.Errorf("%s: %s", name, why)) }

	if c.SenderID != "" && !validSenderID(c.SenderID) {
		fail(EnvSenderID, fmt.Sprintf("%.20q must be 3 to 11 letters, digits or hyphens with at least one letter", c.SenderID))
	}
	if c.OriginationNumber != "" && !validOriginationNumber(c.OriginationNumber) {
		fail(EnvOriginationNumber, fmt.Sprintf("%.20q must be 5 to 14 digits with an optional leading + (E.164, toll-free or short code)", c.OriginationNumber))
	}
	if c.MaxPrice != "" {
		if !validDecimal(c.MaxPrice) {
			fail(EnvMaxPrice, fmt.Sprintf("%.20q must be a decimal number of US dollars, e.g. 0.50", c.MaxPrice))
		} else if f, err := strconv.ParseFloat(c.MaxPrice, 64); err != nil || f <= 0 {
			fail(EnvMaxPrice, fmt.Sprintf("%.20q must be more than 0: SNS would send nothing", c.MaxPrice))
		}
	}
	if c.DLTEntityID != "" && !validDLTID(c.DLTEntityID) {
		fail(EnvDLTEntityID, fmt.Sprintf("%.20q must be 1 to 50 digits", c.DLTEntityID))
	}
	if c.DLTTemplateID != "" && !validDLTID(c.DLTTemplateID) {
		fail(EnvDLTTemplateID, fmt.Sprintf("%.20q must be 1 to 50 digits", c.DLTTemplateID))
	}
	if (c.DLTEntityID == "") != (c.DLTTemplateID == "") {
		fail(EnvDLTEntityID+" and "+EnvDLTTemplateID, "set both or neither (India DLT needs the entity and the template id together)")
	}
	return errors.Join(errs...)
}
