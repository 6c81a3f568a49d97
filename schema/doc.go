// Package schema is the storage and wire layout: the DynamoDB items of the
// one table, and version 1 of the queue message with its JSON Schema.
//
// One table holds challenges (with the worker's delivery claim on the same
// item), reuse pointers and send-cap counters. One table because Create must
// bump every counter and write the challenge in a single TransactWriteItems
// (all or nothing, one request), the worker's claim is a condition on the
// challenge it delivers, and one table is one TTL setting, one IAM resource
// and one backup to manage. Items are told apart by their key prefix; every
// item that holds a phone number carries a TTL at most an hour past its use.
package schema
