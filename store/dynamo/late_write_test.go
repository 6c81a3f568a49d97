package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
)

// A PutChallenge the caller gave up on while DynamoDB still held it, then
// voided: the void's placeholder must make the transaction fail when it
// lands, so neither the challenge, nor the reuse pointer, nor a counter is
// written. The proxy holds the transaction until the void has returned.
func TestVoidRefusesAWriteStillInFlight(t *testing.T) {
	gate := faultproxy.NewGate(func(op string, _ []byte) bool { return op == "TransactWriteItems" })
	p := faultproxy.Start(t, testenv.DynamoDBEndpoint(t), faultproxy.Config{Protocol: faultproxy.DynamoDB, Hold: gate})
	table := dynamotest.NewTable(t, testenv.DynamoDB(t))
	s, err := dynamo.New(dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(p.URL),
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "test", ""),
		DisableValidateResponseChecksum: true, // DynamoDB Local sends no x-amz-crc32 on a 400
	}), table)
	if err != nil {
		t.Fatal(err)
	}
	c := testChallenge(t)
	ctrs := otp.Counters([]otp.Cap{{Scope: otp.ScopePhone, Window: time.Hour, Max: 1}}, c.Phone, "US", c.CreatedAt, nil)
	claim := otp.PointerClaim{StaleBefore: c.CreatedAt.Add(-30 * time.Second)}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-gate.Held(); cancel() }()
	if err := s.PutChallenge(ctx, c, ctrs, claim); err == nil {
		t.Fatal("PutChallenge given up on: nil error")
	}
	bg := context.Background()
	if err := s.VoidChallenge(bg, c.ID); err != nil {
		t.Errorf("VoidChallenge: %v", err)
	}
	gate.Release()
	if st := gate.Status(); st != 400 {
		t.Errorf("the late transaction was answered %d; want 400 (cancelled by the placeholder)", st)
	}
	got, err := s.GetChallenge(bg, c.ID)
	if err != nil || !got.Voided || got.Phone != "" || got.MaxAttempts != 0 {
		t.Errorf("challenge after the late write = %+v, %v; want the void's placeholder", got, err)
	}
	if ptr, err := s.GetPointer(bg, c.Phone, c.ClientID); !errors.Is(err, otp.ErrNotFound) {
		t.Errorf("the late write took the reuse pointer: %+v, %v", ptr, err)
	}
	next := testChallenge(t)
	anyPointer := otp.PointerClaim{StaleBefore: next.CreatedAt.Add(time.Hour)} // only the counter is under test
	if err := s.PutChallenge(bg, next, ctrs, anyPointer); err != nil {
		t.Errorf("the next challenge under a cap of 1: %v (did the late write count?)", err)
	}
}
