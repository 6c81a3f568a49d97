// Package dynamo stores challenges, reuse pointers and send-cap counters in
// one DynamoDB table, laid out in items.go. Every state change is a single
// conditional write, so concurrent triggers can never pass a cap, count an
// answer twice or consume a challenge twice.
//
// One table holds challenges (with the worker's delivery claim on the same
// item), reuse pointers and send-cap counters. One table because Create must
// bump every counter and write the challenge in a single TransactWriteItems
// (all or nothing, one request), the worker's claim is a condition on the
// challenge it delivers, and one table is one TTL setting, one IAM resource
// and one backup to manage. Items are told apart by their key prefix; every
// item that holds a phone number carries a TTL at most an hour past its use.
//
// The layout lives here, with the only code that reads and writes it, so
// nothing else links the DynamoDB SDK.
package dynamo
