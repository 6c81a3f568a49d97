// Package localstack runs the whole sign-in on one machine: a local
// Cognito user pool endpoint (package idp) calling the project's real
// triggers, the real SMS worker polling its queue and "sending" through the
// console provider, and tokens signed by a key made at start. Store and
// queue are in memory unless a DynamoDB table and SQS queues are
// configured, in which case the same code runs against DynamoDB Local and
// an SQS emulator, or real AWS. The pool and app client settings are
// template.yaml's: embedded (DefaultPoolSettings) or read from the file
// (LoadTemplate).
//
// cmd/otp-local is its command; the end-to-end tests start it in-process.
package localstack
