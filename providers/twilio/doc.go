// Package twilio is the providers.Provider for Twilio Programmable Messaging:
// one POST /2010-04-01/Accounts/{AccountSid}/Messages.json per Send, through
// twilio-go, with Twilio's error codes classified into providers.Kind (the
// table is in classify.go). WhatsApp is a second provider on the same
// account and API (whatsapp.go): an approved authentication template by
// ContentSid, the code in ContentVariables, its own sender and error table.
//
// It never retries (the queue does), never sends a message whose code has
// expired, and its errors never hold the destination number, the message
// body or the auth token: Twilio's own error text quotes the number, so only
// the code and HTTP status are kept.
package twilio
