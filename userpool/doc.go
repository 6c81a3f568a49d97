// Package userpool holds the Cognito user pool admin operations the rescue
// command needs: rescuing users left UNCONFIRMED by confirming them once the
// pool is proven to have no password path, and listing numbers held by more
// than one user. Marking a phone number verified after a code sign-in is
// userpool/verified's (one call, without the SDK client).
//
// It talks to Cognito only through the small API interface, which
// *cognitoidentityprovider.Client satisfies. It never deletes users, never
// sets passwords, and never puts a full phone number in an error.
package userpool
