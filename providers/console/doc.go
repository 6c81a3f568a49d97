// Package console is the Provider of the local stack: it prints each SMS,
// code and all, on the developer's terminal and can append it to an outbox
// file (JSON lines) that tests and tools read codes from.
//
// It never sends anything anywhere and never runs in production: what it
// prints holds live codes.
package console
