// Package tokens issues and checks the tokens of a local, Cognito-compatible
// user pool: RS256 ID and access tokens carrying the claims Cognito puts in
// them, opaque in-memory refresh tokens that can be revoked (RevokeToken,
// GlobalSignOut), and the pool's JWKS and OpenID configuration documents.
//
// It is for local development and tests only: state lives in memory, one key
// signs both token kinds, and it never talks to AWS or imports a vendor package.
package tokens
