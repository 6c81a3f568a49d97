package plan

// Type is phonenumbers' PhoneNumberType, in its order.
type Type uint8

const (
	FixedLine Type = iota
	Mobile
	// FixedLineOrMobile: the plan can't tell (every North American number).
	FixedLineOrMobile
	TollFree
	PremiumRate
	SharedCost
	VoIP
	PersonalNumber
	Pager
	UAN
	Voicemail
	Unknown
)

var typeNames = [...]string{
	FixedLine:         "FIXED_LINE",
	Mobile:            "MOBILE",
	FixedLineOrMobile: "FIXED_LINE_OR_MOBILE",
	TollFree:          "TOLL_FREE",
	PremiumRate:       "PREMIUM_RATE",
	SharedCost:        "SHARED_COST",
	VoIP:              "VOIP",
	PersonalNumber:    "PERSONAL_NUMBER",
	Pager:             "PAGER",
	UAN:               "UAN",
	Voicemail:         "VOICEMAIL",
	Unknown:           "UNKNOWN",
}

// String is the type's name as phonenumbers spells the constant
// ("MOBILE"); an out-of-range value is "UNKNOWN".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "UNKNOWN"
}
