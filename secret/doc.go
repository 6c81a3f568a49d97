// Package secret fetches the bytes of the one server-side secret from which
// the project derives its keys (Secrets Manager, SSM Parameter Store, or a
// plain value for local use) and caches them for at most MaxTTL so that a
// rotation takes effect within minutes.
//
// It never derives keys, and it never puts secret material in an error, a
// log line or a formatted value: sources and caches print as "redacted".
package secret
