// Package otp holds the domain of a one-time code sign-in: code generation,
// the keys derived from the server secret (MAC and sealing), the challenge
// and send-cap vocabulary shared by the triggers, stores and worker, and the
// policy that bounds them.
//
// It imports no AWS or vendor package: storage, queues and SMS providers are
// adapters around it.
package otp
