package triggers

import (
	"log/slog"
	"slices"
)

// sources are the triggerSource values Cognito sends one trigger (the
// "Connecting Lambda triggers to user pool functional operations" table of
// the Cognito developer guide). A function wired to the wrong trigger would
// otherwise answer an event it does not understand, e.g. Define asking a
// PreSignUp for a challenge.
type sources struct {
	trigger string
	values  []string
}

var (
	defineSources    = sources{"DefineAuthChallenge", []string{"DefineAuthChallenge_Authentication"}}
	createSources    = sources{"CreateAuthChallenge", []string{"CreateAuthChallenge_Authentication"}}
	verifySources    = sources{"VerifyAuthChallengeResponse", []string{"VerifyAuthChallengeResponse_Authentication"}}
	preSignUpSources = sources{"PreSignUp", []string{"PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"}}
	postAuthSources  = sources{"PostAuthentication", []string{"PostAuthentication_Authentication"}}
)

// check refuses, with OTP_BAD_REQUEST, an event whose triggerSource is not
// one of this trigger's (a missing one included: Cognito always sends it).
func (s sources) check(log *slog.Logger, triggerSource string) error {
	if slices.Contains(s.values, triggerSource) {
		return nil
	}
	log.Warn("event meant for another trigger", "trigger", s.trigger, "triggerSource", truncate(triggerSource, 60))
	return refuse(CodeBadRequest)
}
