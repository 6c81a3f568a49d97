package dynamo_test

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/storetest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestConformance(t *testing.T) {
	db := testenv.DynamoDB(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := dynamo.New(db, dynamotest.NewTable(t, db))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestNewValidates(t *testing.T) {
	if _, err := dynamo.New(nil, "t"); err == nil {
		t.Error("New(nil client) succeeded")
	}
	if _, err := dynamo.New(testenv.DynamoDB(t), ""); err == nil {
		t.Error("New(empty table) succeeded")
	}
}
