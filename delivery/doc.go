// Package delivery is the vocabulary of what happens to an SMS after a
// provider accepted it: the message the worker records at send (keyed by
// provider and provider message id, pointing at its challenge), the receipts
// providers send back later, the rule that receipt states only move forward,
// and the windowed per provider x country tallies that measure delivery.
// It imports no vendor package; store/dynamo and store/mem keep it.
package delivery
