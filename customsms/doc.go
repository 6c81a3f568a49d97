// Package customsms is Cognito's Custom SMS Sender trigger: every SMS the
// user pool itself sends (sign-up and resend codes, password reset,
// attribute verification, temporary passwords, SMS MFA and native SMS_OTP
// codes, account-takeover notices) goes through the same queue, worker,
// providers, send caps and metrics as our sign-in codes.
//
// The handler decodes the event, decrypts Cognito's code (package esdk),
// applies the send caps, writes the job's delivery record and enqueues the
// code sealed as a version 2 queue message. It never calls an SMS provider
// and never logs a code or a full phone number.
package customsms
