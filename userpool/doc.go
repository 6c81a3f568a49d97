// Package userpool holds the few Cognito user pool admin operations this
// project needs: marking a phone number verified after a code sign-in, and
// rescuing users left UNCONFIRMED by confirming them once the pool is proven
// to have no password path.
//
// It talks to Cognito only through the small API interface, which
// *cognitoidentityprovider.Client satisfies. It never deletes users, never
// sets passwords, and never puts a full phone number in an error.
package userpool
