// Package testenv gives tests AWS SDK clients wired to local stand-ins:
// DynamoDB Local for DynamoDB and fauxqs for SQS. scripts/test starts both and
// passes their addresses in OTP_TEST_DYNAMODB_ENDPOINT and OTP_TEST_SQS_ENDPOINT;
// under a plain `go test` the helpers start them from .cache/ themselves, so
// every package can use them either way (call Main from TestMain).
package testenv
