// Package worker will deliver the SMS jobs that CreateAuthChallenge puts on
// the queue: decode (schema v1), drop expired codes, unseal, claim the
// challenge's delivery in DynamoDB so a redelivery never texts twice, send
// through the provider chain, and report partial batch failures.
//
// It is not built yet; until it is, messages wait on the queue.
package worker
