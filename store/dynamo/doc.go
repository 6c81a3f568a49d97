// Package dynamo stores challenges, reuse pointers and send-cap counters in
// one DynamoDB table laid out by package schema. Every state change is a
// single conditional write, so concurrent triggers can never pass a cap,
// count an answer twice or consume a challenge twice.
package dynamo
