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
// reading only its own variables. DefineAuthChallenge lives in define/,
// which imports nothing of this package, so its function links no phone
// numbering plan.
package triggers
