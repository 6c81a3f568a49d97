// Package providers is what the worker sends SMS through: the small Provider
// interface, the Error every provider returns so the worker can tell a
// transient failure from one that is the provider's or the number's, and the
// Chain that fails over between providers in a configured order, routes by
// destination country and skips a failing provider for a while.
//
// Vendor adapters live in subpackages (sns, twilio, console); this package
// imports none of them.
package providers
