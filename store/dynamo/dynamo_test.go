package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
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

func TestClaimsConformance(t *testing.T) {
	db := testenv.DynamoDB(t)
	storetest.RunClaims(t, func(t *testing.T) storetest.Claims {
		s, err := dynamo.New(db, dynamotest.NewTable(t, db))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestResendsConformance(t *testing.T) {
	db := testenv.DynamoDB(t)
	storetest.RunResends(t, func(t *testing.T) storetest.Resends {
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

// A claim is one request; a refused one adds one read to name the reason.
func TestClaimRequests(t *testing.T) {
	ct := &testenv.CountingTransport{}
	db := testenv.DynamoDBWith(t, ct.Client())
	s, err := dynamo.New(db, dynamotest.NewTable(t, db))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	id, _ := otp.NewID(nil)
	c := otp.Challenge{ID: id, Phone: "+14155550123", ClientID: "c1", KeyID: "0123456789ab",
		MAC: []byte("mac"), Locale: "en", CreatedAt: now, ExpiresAt: now.Add(3 * time.Minute), MaxAttempts: 3}
	if err := s.PutChallenge(context.Background(), c, nil, otp.PointerClaim{}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		want int64
		run  func() error
	}{
		{"claim", 1, func() error {
			_, err := s.Claim(context.Background(), id, c.Phone, now, now.Add(-time.Minute))
			return err
		}},
		{"refused claim", 2, func() error {
			if _, err := s.Claim(context.Background(), id, c.Phone, now, now.Add(-time.Minute)); !errors.Is(err, otp.ErrClaimTaken) {
				return fmt.Errorf("Claim = %v, want ErrClaimTaken", err)
			}
			return nil
		}},
		{"record", 1, func() error { return s.Record(context.Background(), id, now, otp.Sent("sns", "m1")) }},
	}
	for _, st := range steps {
		ct.Reset()
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := ct.Count(); got != st.want {
			t.Errorf("%s: %d requests, want %d", st.name, got, st.want)
		}
	}
}

func TestLedgerConformance(t *testing.T) {
	db := testenv.DynamoDB(t)
	storetest.RunLedger(t, func(t *testing.T) storetest.Ledger {
		l, err := dynamo.NewLedger(db, dynamotest.NewTable(t, db), storetest.LedgerConfig())
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}
