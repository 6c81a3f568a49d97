// Package source lists the triggerSource values Cognito sends each trigger
// (the Cognito developer guide's table of Lambda trigger sources), so a
// handler can refuse an event meant for another trigger: a function wired
// to the wrong one would otherwise answer an event it does not understand,
// e.g. Define asking a PreSignUp for a challenge. It imports nothing, so any
// trigger's package can use it without linking more.
package source

import "slices"

// Set is one trigger's sources.
type Set struct {
	Trigger string
	Values  []string
}

// The five triggers this project implements.
var (
	Define             = Set{"DefineAuthChallenge", []string{"DefineAuthChallenge_Authentication"}}
	Create             = Set{"CreateAuthChallenge", []string{"CreateAuthChallenge_Authentication"}}
	Verify             = Set{"VerifyAuthChallengeResponse", []string{"VerifyAuthChallengeResponse_Authentication"}}
	PreSignUp          = Set{"PreSignUp", []string{"PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"}}
	PostAuthentication = Set{"PostAuthentication", []string{"PostAuthentication_Authentication"}}
)

// Has reports whether triggerSource is one of s's; an empty one never is
// (Cognito always sends it).
func (s Set) Has(triggerSource string) bool { return slices.Contains(s.Values, triggerSource) }

// Loggable is what a log line may say of a triggerSource that is not the
// trigger's own: the value when it is shaped like a source name, else a
// placeholder, so a forged event cannot write a phone number, a code or
// anything else into the logs through this field.
func Loggable(triggerSource string) string {
	const maxLen = 60
	if len(triggerSource) > maxLen {
		return "(too long)"
	}
	for _, r := range triggerSource {
		if r != '_' && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return "(malformed)"
		}
	}
	return triggerSource
}
