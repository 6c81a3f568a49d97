// Package providers will hold the small Provider interface the worker sends
// through, with Amazon SNS, Twilio and console implementations and an
// ordered failover chain chosen by configuration (SMS_PROVIDERS).
//
// It is not built yet.
package providers
