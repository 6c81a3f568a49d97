// Package channel names the ways a code reaches a phone (SMS, WhatsApp),
// which provider sends on which, and the configured provider order per
// destination country (SMS_PROVIDERS, SMS_ROUTES) with a user's preferred
// channel applied. Both the worker and the Create trigger read it: Create
// to tell the app which channel the first attempt will use, without linking
// any provider.
package channel
