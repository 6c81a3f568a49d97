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
// Create's settings are parsed here too (env.go); DefineAuthChallenge,
// VerifyAuthChallenge, PostAuthentication and PreSignUp live, with their
// settings (each reading only its own variables), in define/, verify/,
// postauth/ and presignup/ (refusals in refusal/), so their mains link
// nothing of this package. Only PreSignUp, where a number enters,
// links the phone numbering plan (package phone); Create checks the number
// PreSignUp judged by its shape and country (package e164), and stores the
// country and the pool's spelling of it with the challenge for Verify and
// PostAuthentication. NewVerify and NewPostAuthentication here build those
// for the callers that run every trigger from one Config.
package triggers
