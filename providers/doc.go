// Package providers is what the worker sends SMS through: the small Provider
// interface, the Error every provider returns so the worker can tell a
// transient failure from one that is the provider's or the number's, and the
// Chain that fails over between providers in a configured order, routes by
// destination country and skips a failing provider for a while.
//
// Vendor adapters live in subpackages (sns, eum, twilio with its whatsapp
// provider, console; awsreply is what the AWS ones share); this package
// imports none of them. The order of providers per country and a user's
// preferred channel come from package channel.
package providers
