// Package idp serves the custom-authentication subset of the Amazon Cognito
// Identity Provider API over its real protocol (AWS JSON 1.1: POST / with
// X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>), for one user
// pool whose username attribute is phone_number and one public app client
// allowed CUSTOM_AUTH and REFRESH_TOKEN_AUTH, as template.yaml deploys it.
// The client's ExplicitAuthFlows, ReadAttributes and WriteAttributes are
// enforced as Cognito enforces them (client.go), so a call a deployed pool
// would refuse is refused here too.
//
// It calls the project's real trigger handlers with the event shapes Cognito
// sends (each event goes through JSON, as it would to Lambda), under
// Cognito's 5-second limit and retry rule, and answers with Cognito's error
// names, so the AWS SDKs and Amplify sign in against it unchanged.
//
// It is for local development and tests: users and sessions live in memory,
// request signatures and IAM are not checked, and nothing it does reaches
// AWS.
package idp
