// Package signin is the `otp-local signin` command: a command-line client that
// signs a phone number up and in against a user pool running this project's
// triggers, the way docs/app-developers.md tells apps to (SignUp with a
// throwaway password, InitiateAuth CUSTOM_AUTH, RespondToAuthChallenge per
// code), and shows what an app would see.
//
// It talks to the local stack or to real AWS through the real SDK client,
// never with credentials. It prints the ID token's claims but never a token,
// the refresh token or a session unless asked to (--show-tokens), and it
// never imports the triggers: it knows the pool only through the wire.
package signin
