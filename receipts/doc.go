// Package receipts takes SMS delivery receipts in: Twilio status callbacks
// (form POSTs behind a Lambda function URL, authenticated by their
// X-Twilio-Signature with twilio-go's own validator) and Amazon SNS SMS
// delivery status logs (a CloudWatch Logs subscription). Each receipt moves
// the sent message the worker recorded, by provider and message id, only
// forward, and is counted once per provider x country. It trusts nothing
// in a receipt beyond its signature (and for SNS, the log group's IAM),
// and never logs the number a receipt quotes; receipts carry no code.
package receipts
