package handlerenv

import (
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/e164"
)

// EnvAllowedCountries is the country allow-list every handler that takes a
// phone number applies: PreSignUp where the number enters, Create and the
// Custom SMS Sender before a code is sent to it.
const EnvAllowedCountries = "OTP_ALLOWED_COUNTRIES"

// AllowListFromEnv reads OTP_ALLOWED_COUNTRIES (empty: every country) into
// a policy of nothing else; problems go to e. Create and the Custom SMS
// Sender check a number PreSignUp judged with it (e164.Policy.Check, which
// reads no number type); PreSignUp adds its own OTP_ALLOW_VOIP.
func AllowListFromEnv(e *config.Env) e164.Policy {
	countries, err := country.ParseList(e.Raw(EnvAllowedCountries))
	if err != nil {
		e.Fail(EnvAllowedCountries, err.Error())
	}
	return e164.Policy{AllowedCountries: countries}
}
