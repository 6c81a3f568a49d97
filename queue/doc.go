// Package queue holds the enqueue side of SMS delivery: SQS, the adapter
// for Amazon SQS (or an emulator) used in production, sending through SQS's
// JSON protocol (NewSQSJSON) or, in queue/sqssdk, the generated client that
// the trigger functions do not link; and Mem, an in-memory
// queue for the local stack and tests that also offers a consumer side:
// Receive for tests, and ReceiveBatch, Delay, DeadLetter and Delete, which
// the worker's driver uses as it uses SQS.
//
// Both put on the queue exactly the bytes of schema.Message.Encode, so the
// in-memory path exercises the same codec as SQS. Neither sends an SMS,
// retries, or puts a phone number anywhere but the message body's "to"
// field: not in message attributes and not in errors.
package queue
