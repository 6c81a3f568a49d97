package triggers

import (
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/postauth"
)

// PostAuthentication is the PostAuthentication trigger, in package
// triggers/postauth so that its function links no numbering plan.
type PostAuthentication = postauth.PostAuthentication

// NewPostAuthentication returns the trigger (postauth.New).
func NewPostAuthentication(pool PhoneVerifier, proof ChallengeReader, deadline time.Duration, env Env) (*PostAuthentication, error) {
	return postauth.New(pool, proof, deadline, env)
}
