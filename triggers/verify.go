package triggers

import "github.com/cognito-phone-otp/cognito-phone-otp/triggers/verify"

// Verify is the VerifyAuthChallengeResponse trigger, in package
// triggers/verify so that its function links no numbering plan.
type Verify = verify.Verify

// NewVerify returns the trigger with cfg's code length and deadline, for
// those that run every trigger from one Config (the local stack, tests);
// cfg must be valid.
func NewVerify(cfg Config, store Store, keys Keys, env Env) (*Verify, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return verify.New(verify.Config{Digits: cfg.Policy.Digits, Deadline: cfg.Deadline}, store, keys, env)
}
