// Package eum is the providers.Provider for AWS End User Messaging SMS (the
// pinpoint-sms-voice-v2 API): one SendTextMessage per Send, from a
// configured origination identity, TRANSACTIONAL, with a time-to-live of
// the code's remaining life, a configuration set (whose event destination
// feeds the receipts function), an optional protect configuration, India
// DLT ids and a maximum price. Its errors are classified into
// providers.Kind by exception and reason (classify.go).
//
// It never retries (the queue does), never sends an expired code, and its
// errors never hold the number or the text.
package eum
