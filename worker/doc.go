// Package worker delivers the SMS jobs that CreateAuthChallenge puts on the
// queue. One processing core (Process) decides each message's fate; two
// drivers run it: HandleSQS for Lambda's SQS event source (reporting only the
// failed message ids), and Poll, a long-polling loop for the local stack or a
// container. Both send batches concurrently, hand messages back to the queue
// with a delay instead of retrying in a loop, and move poison and exhausted
// messages to the dead-letter queue themselves, with the reason. The queue
// side is the Queue interface: SQS (NewDriver), or the local stack's
// in-memory queue (NewQueueDriver).
//
// Per message: decode (schema v1); drop it if the code has expired; unseal;
// claim the challenge's delivery in DynamoDB (so a redelivered message, or a
// second message for the same challenge, never sends a second SMS); render;
// send through the provider chain; record the outcome. After a sign-in SMS,
// or a Custom SMS Sender job with a code, the driver schedules a delivery
// check on the queue (SQS DelaySeconds); when it comes back without a
// delivered receipt, Resend sends the same sealed code once more through
// the next provider, by the chain's own pass and breakers (resend.go).
//
// The sms-worker function's settings, with the defaults and bounds of
// Config, are parsed here (settings.go); cmd/sms-worker wires them.
package worker
