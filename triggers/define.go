package triggers

import "github.com/cognito-phone-otp/cognito-phone-otp/triggers/define"

// ChallengeName is the only challenge these triggers issue.
const ChallengeName = define.ChallengeName

// Define is the DefineAuthChallenge trigger; it lives in package define so
// that its function links nothing else of this package.
type Define = define.Define

// NewDefine returns the trigger; maxAttempts is answers allowed per code.
func NewDefine(maxAttempts int, env Env) (*Define, error) {
	return define.New(maxAttempts, env.WithDefaults().Log)
}
