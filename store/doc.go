// Package store holds the challenge storage adapters: dynamo (DynamoDB, for
// deployments) and mem (in memory, for the local stack), and storetest, the
// conformance suite both must pass. The interface they satisfy is declared
// by its user, package triggers; the semantics live in storetest.
package store
