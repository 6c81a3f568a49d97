// Package fakecognito is a test-only fake of a handful of Amazon Cognito
// Identity Provider admin operations (AdminUpdateUserAttributes,
// AdminConfirmSignUp, DescribeUserPool, ListUserPoolClients,
// DescribeUserPoolClient, ListUsers), served by an httptest server that speaks
// the real AWS JSON 1.1 wire protocol, so tests drive it with the real SDK
// client.
//
// Requests and responses are shaped from the Cognito API reference, not from
// what the SDK happens to send. State is an in-memory set of user pools; every
// call is recorded for assertions. It never checks signatures or IAM, never
// runs triggers and implements nothing beyond these operations: it is not the
// local stack, and production code must not import it.
package fakecognito
