// Package dynamotest creates throwaway tables laid out by package dynamo in
// DynamoDB Local, for tests of the store and of its callers.
package dynamotest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
)

// NewTable creates a table with TTL on and deletes it when the test ends.
func NewTable(t testing.TB, db *dynamodb.Client) string {
	t.Helper()
	ctx := context.Background()
	name := testenv.UniqueName("otp")
	if _, err := db.CreateTable(ctx, dynamo.CreateTableInput(name)); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := db.UpdateTimeToLive(ctx, dynamo.TimeToLiveInput(name)); err != nil {
		t.Fatalf("enable TTL: %v", err)
	}
	t.Cleanup(func() {
		db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}
