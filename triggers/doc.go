// Package triggers holds the Cognito Lambda triggers of the phone sign-in:
// DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse,
// PreSignUp and PostAuthentication, each a handler over the exact
// aws-lambda-go event type.
//
// The triggers never talk to an SMS provider: Create stores a MAC of the
// code and enqueues a sealed message for the worker (none for a configured
// test number, whose code is fixed). Refusals are errors
// whose text is a documented machine-readable code (see Refusal).
//
// Each trigger function's settings are parsed here too (env.go), each
// reading only its own variables. DefineAuthChallenge, VerifyAuthChallenge
// and PostAuthentication live in define/, verify/ and postauth/ (refusals
// in refusal/), which import nothing of this package, so their functions
// link no phone numbering plan: Create stores the number's country and the
// pool's spelling of it with the challenge for them. NewVerify and
// NewPostAuthentication here build them for those that run every trigger
// from one Config.
package triggers
