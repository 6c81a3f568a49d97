package faultproxy_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// oneTry is a DynamoDB client through the proxy that never retries, so
// each fault reaches the caller as the SDK reports it.
func oneTry(t *testing.T, p *faultproxy.Proxy) *dynamodb.Client {
	t.Helper()
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(p.URL), RetryMaxAttempts: 1,
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "test", ""),
		DisableValidateResponseChecksum: true,
	})
}

// Each kind, as the DynamoDB client sees it, and whether DynamoDB Local
// applied the write.
func TestKindsOnDynamoDB(t *testing.T) {
	direct := testenv.DynamoDB(t)
	table := dynamotest.NewTable(t, direct)
	tests := []struct {
		kind    faultproxy.Kind
		applied bool
		check   func(error) bool
	}{
		{faultproxy.ServerError, false, func(err error) bool {
			var re interface{ HTTPStatusCode() int }
			return errors.As(err, &re) && re.HTTPStatusCode() >= 500
		}},
		{faultproxy.Throttle, false, func(err error) bool {
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				return false
			}
			switch ae.ErrorCode() {
			case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
				return true
			}
			return false
		}},
		{faultproxy.Latency, true, func(err error) bool { return err == nil }},
		{faultproxy.ResetAfter, true, func(err error) bool { return err != nil }},
		{faultproxy.Truncate, true, func(err error) bool { return err != nil }},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			p := faultproxy.Start(t, testenv.DynamoDBEndpoint(t), faultproxy.Config{
				Protocol: faultproxy.DynamoDB, Rate: 1, Kinds: []faultproxy.Kind{tc.kind}, Seed: 0})
			key := map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: "k" + tc.kind.String()},
			}
			_, err := oneTry(t, p).PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: key})
			if !tc.check(err) {
				t.Errorf("PutItem through %s: err = %v", tc.kind, err)
			}
			got, gerr := direct.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
			if gerr != nil {
				t.Fatal(gerr)
			}
			if applied := got.Item != nil; applied != tc.applied {
				t.Errorf("applied = %v, want %v", applied, tc.applied)
			}
			if s := p.Stats(); s.Faults[tc.kind] != 1 || s.ByOp["PutItem"] != 1 {
				t.Errorf("stats %s", s)
			}
		})
	}
}

// SQS's throttling answers reach the SDK with the codes SQS documents.
func TestSQSThrottleCodes(t *testing.T) {
	p := faultproxy.Start(t, testenv.SQSEndpoint(t), faultproxy.Config{
		Protocol: faultproxy.SQS, Rate: 1, Kinds: []faultproxy.Kind{faultproxy.Throttle}, Seed: 1})
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	seen := map[string]bool{}
	for range 8 {
		_, err := c.ListQueues(context.Background(), &sqs.ListQueuesInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("ListQueues: %v, want an API error", err)
		}
		seen[ae.ErrorCode()] = true
	}
	for _, code := range []string{"RequestThrottled", "ThrottlingException"} {
		if !seen[code] {
			t.Errorf("code %s never seen; saw %v", code, seen)
		}
	}
}

// The same seed disturbs the same requests of a sequence.
func TestSeedRepeats(t *testing.T) {
	run := func(seed uint64) []bool {
		up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) })
		srv := newServer(t, up)
		p := faultproxy.Start(t, srv, faultproxy.Config{Protocol: faultproxy.Twilio, Rate: 0.3, Seed: seed,
			Kinds: []faultproxy.Kind{faultproxy.ServerError}})
		var out []bool
		for range 50 {
			resp, err := http.Post(p.URL+"/Messages.json", "application/x-www-form-urlencoded", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			out = append(out, resp.StatusCode >= 500)
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if !equal(a, b) {
		t.Error("seed 7 gave two sequences")
	}
	if equal(a, c) {
		t.Error("seeds 7 and 8 gave one sequence")
	}
}
