package testenv_test

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestDynamoDBCreateAndListTables(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	name := testenv.UniqueName("testenv")

	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("DeleteTable: %v", err)
		}
	})

	var names []string
	p := dynamodb.NewListTablesPaginator(db, &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListTables: %v", err)
		}
		names = append(names, out.TableNames...)
	}
	if !slices.Contains(names, name) {
		t.Fatalf("ListTables = %v, want it to contain %q", names, name)
	}
}

func TestSQSSendReceive(t *testing.T) {
	ctx := context.Background()
	q := testenv.SQS(t)

	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(testenv.UniqueName("testenv"))})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	t.Cleanup(func() {
		if _, err := q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}); err != nil {
			t.Errorf("DeleteQueue: %v", err)
		}
	})

	const body = `{"phone":"+15550100"}`
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: aws.String(body)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            created.QueueUrl,
		MaxNumberOfMessages: 10,
		WaitTimeSeconds:     2,
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != body {
		t.Fatalf("ReceiveMessage got %d messages (%+v), want one with body %s", len(out.Messages), out.Messages, body)
	}
	if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: created.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
}

func TestCountingTransportCountsRequests(t *testing.T) {
	ctx := context.Background()
	ct := &testenv.CountingTransport{}
	db := testenv.DynamoDBWith(t, ct.Client())
	q := testenv.SQSWith(t, ct.Client())

	for range 2 {
		if _, err := db.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
			t.Fatalf("ListTables: %v", err)
		}
	}
	if got := ct.Count(); got != 2 {
		t.Fatalf("Count after 2 ListTables = %d, want 2", got)
	}

	ct.Reset()
	if got := ct.Count(); got != 0 {
		t.Fatalf("Count after Reset = %d, want 0", got)
	}
	if _, err := q.ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("ListQueues: %v", err)
	}
	if got := ct.Count(); got != 1 {
		t.Fatalf("Count after 1 ListQueues = %d, want 1", got)
	}
}

func TestEndpointsAreLoopbackURLs(t *testing.T) {
	for name, ep := range map[string]string{
		"DynamoDB": testenv.DynamoDBEndpoint(t),
		"SQS":      testenv.SQSEndpoint(t),
	} {
		u, err := url.Parse(ep)
		if err != nil || u.Scheme != "http" || u.Port() == "" {
			t.Errorf("%s endpoint %q is not an http URL with a port (err %v)", name, ep, err)
		}
	}
}

func TestUniqueName(t *testing.T) {
	// Letters, digits, '-' and '_' satisfy both DynamoDB table names and SQS
	// queue names; 75 leaves room for ".fifo" within SQS's 80.
	valid := regexp.MustCompile(`^[A-Za-z0-9_-]{3,75}$`)
	seen := map[string]bool{}
	for _, prefix := range []string{"", "otp", "Store.Test/Put sub", strings.Repeat("x", 200)} {
		for range 50 {
			n := testenv.UniqueName(prefix)
			if !valid.MatchString(n) {
				t.Fatalf("UniqueName(%q) = %q: not a valid table/queue name", prefix, n)
			}
			if seen[n] {
				t.Fatalf("UniqueName(%q) repeated %q", prefix, n)
			}
			seen[n] = true
		}
	}
	if n := testenv.UniqueName("otp"); !strings.HasPrefix(n, "otp-") {
		t.Errorf("UniqueName(%q) = %q, want the prefix kept", "otp", n)
	}
}

// TestSelfStart re-runs this test binary without the endpoint variables, so
// the child has to start DynamoDB Local and fauxqs itself, use them, and (via
// Main) stop them when it exits.
func TestSelfStart(t *testing.T) {
	if os.Getenv("TESTENV_SELF_START_CHILD") == "1" {
		selfStartChild(t)
		return
	}

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, testenv.DynamoDBEndpointEnv+"=") && !strings.HasPrefix(kv, testenv.SQSEndpointEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSelfStart$", "-test.count=1", "-test.v")
	cmd.Env = append(env, "TESTENV_SELF_START_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child test run failed: %v\n%s", err, out)
	}

	var endpoints []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if _, ep, ok := strings.Cut(sc.Text(), "endpoint="); ok {
			endpoints = append(endpoints, strings.TrimSpace(ep))
		}
	}
	if len(endpoints) != 2 {
		t.Fatalf("child reported endpoints %v, want 2; output:\n%s", endpoints, out)
	}
	for _, ep := range endpoints {
		if ep == testenv.DynamoDBEndpoint(t) || ep == testenv.SQSEndpoint(t) {
			t.Errorf("child used %s, the parent's server, not one of its own", ep)
		}
		u, _ := url.Parse(ep)
		// Main has returned only after stopping the servers, so nothing may answer.
		if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
			c.Close()
			t.Errorf("server at %s still accepts connections after the child exited", ep)
		}
	}
}

func selfStartChild(t *testing.T) {
	ctx := context.Background()
	ddb, sq := testenv.DynamoDBEndpoint(t), testenv.SQSEndpoint(t)
	t.Logf("endpoint=%s", ddb)
	t.Logf("endpoint=%s", sq)
	if _, err := testenv.DynamoDB(t).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables on self-started DynamoDB Local: %v", err)
	}
	if _, err := testenv.SQS(t).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("ListQueues on self-started fauxqs: %v", err)
	}
}
