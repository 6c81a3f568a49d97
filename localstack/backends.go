package localstack

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/logging"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue/sqssdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// ledger is where sent messages and their receipts are kept.
type ledger interface {
	worker.SentLog
	worker.Deliveries
	receipts.Ledger
	routing.Tallies
}

// jobQueue takes sign-in codes (Create) and the pool's own SMS (the
// Custom SMS Sender).
type jobQueue interface {
	triggers.Queue
	customsms.Queue
}

// splitQueue sends sign-in codes one way and the pool's own SMS another:
// the embedded queue holds Create's jobs until the answer is out, and a
// wrapper (injected faults) may stand in front of either.
type splitQueue struct {
	signIn  triggers.Queue
	cognito customsms.Queue
}

func (q splitQueue) Enqueue(ctx context.Context, m schema.Message) error {
	return q.signIn.Enqueue(ctx, m)
}

func (q splitQueue) EnqueueCognito(ctx context.Context, m schema.CognitoSMS) error {
	return q.cognito.EnqueueCognito(ctx, m)
}

// backends are the store and queue the stack runs on, and how the worker
// reads the queue.
type backends struct {
	store  Store
	ledger ledger
	queue  jobQueue
	poll   func(ctx context.Context, w *worker.Worker, log *slog.Logger) error
	// serve wraps the pool's handler (the embedded queue's afterAnswer).
	serve   func(http.Handler) http.Handler
	summary string
}

// newBackends picks embedded memory, or DynamoDB and SQS when
// OTP_TABLE_NAME and OTP_QUEUE_URL are set (both or neither).
func newBackends(ctx context.Context, o Options, cfg settings) (*backends, error) {
	if o.CreateTable && cfg.Table == "" {
		return nil, fmt.Errorf("--create-table: set %s too (the embedded store needs no table)", config.EnvTable)
	}
	switch {
	case cfg.Table == "" && cfg.QueueURL == "":
		const capacity = 10_000
		q := queue.NewMem(capacity)
		held := afterAnswer{q: q, capacity: capacity, log: o.Log}
		l, err := mem.NewLedger(delivery.DefaultConfig(), o.Now)
		if err != nil {
			return nil, err
		}
		return &backends{
			store: mem.New(o.Now), ledger: l, queue: splitQueue{signIn: held, cognito: q}, serve: held.wrap,
			summary: "embedded (in-memory store and queue)",
			poll: func(ctx context.Context, w *worker.Worker, log *slog.Logger) error {
				return pollMem(ctx, q, w, log, o.Workers)
			},
		}, nil
	case cfg.Table == "" || cfg.QueueURL == "":
		return nil, fmt.Errorf("set both %s and %s (DynamoDB and SQS), or neither (embedded)", config.EnvTable, config.EnvQueueURL)
	}
	dlq := o.Getenv(worker.EnvDLQURL)
	if dlq == "" {
		return nil, fmt.Errorf("%s: required with %s", worker.EnvDLQURL, config.EnvQueueURL)
	}
	awsCfg, err := awsConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	db, sqsc := dynamodb.NewFromConfig(awsCfg), sqs.NewFromConfig(awsCfg)
	// Say at start what is missing, not in every sign-in after it.
	if err := checkAWS(ctx, awsCfg, db, sqsc, o.CreateTable, cfg.Table, cfg.QueueURL, dlq); err != nil {
		return nil, err
	}
	st, err := dynamo.New(db, cfg.Table)
	if err != nil {
		return nil, err
	}
	q, err := sqssdk.New(sqsc, cfg.QueueURL)
	if err != nil {
		return nil, err
	}
	l, err := dynamo.NewLedger(db, cfg.Table, delivery.DefaultConfig())
	if err != nil {
		return nil, err
	}
	return &backends{
		store: st, ledger: l, queue: q, serve: func(h http.Handler) http.Handler { return h },
		summary: "DynamoDB table " + cfg.Table + ", SQS queue " + cfg.QueueURL,
		poll: func(ctx context.Context, w *worker.Worker, log *slog.Logger) error {
			return pollSQS(ctx, w, sqsc, cfg.QueueURL, dlq, o.Workers)
		},
	}, nil
}

func awsConfig(ctx context.Context, o Options) (aws.Config, error) {
	c := aws.Config{}
	if o.AWS != nil {
		c = o.AWS.Copy()
	} else {
		var err error
		if c, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
			return aws.Config{}, fmt.Errorf("aws configuration: %w", err)
		}
	}
	// The SDK's own warnings become JSON log lines like the rest.
	c.Logger = logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
		o.Log.Warn("aws sdk: " + fmt.Sprintf(format, v...))
	})
	return c, nil
}

// checkAWS fails the start with what to fix when credentials, the table
// or a queue are missing.
func checkAWS(ctx context.Context, c aws.Config, db *dynamodb.Client, q *sqs.Client, create bool, table, queueURL, dlqURL string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("aws credentials (for DynamoDB Local or fauxqs any will do, e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test): %w", err)
	}
	if create {
		if err := createTable(ctx, db, table); err != nil {
			return err
		}
	} else if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}); err != nil {
		return fmt.Errorf("%s %s: %w (--create-table creates it)", config.EnvTable, table, err)
	}
	for name, u := range map[string]string{config.EnvQueueURL: queueURL, worker.EnvDLQURL: dlqURL} {
		if _, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u)}); err != nil {
			return fmt.Errorf("%s %s: %w (create the queue first; use the URL CreateQueue returned)", name, u, err)
		}
	}
	return nil
}

// createTable makes the table for DynamoDB Local; one that exists is fine.
func createTable(ctx context.Context, db *dynamodb.Client, name string) error {
	_, err := db.CreateTable(ctx, dynamo.CreateTableInput(name))
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	return nil
}

// keys is the server secret: OTP_SECRET when set (plain: only, since the
// local stack reads no Secrets Manager), else random per run, which is
// right for the embedded store: nothing outlives the process.
func keys(cfg settings) (*otp.KeySource, string, error) {
	if cfg.Secret.Spec == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		note := "random, made at start"
		if cfg.Table != "" {
			note += " (set OTP_SECRET=plain:... to keep codes stored in DynamoDB usable across restarts)"
		}
		return otp.NewKeySource(otp.StaticSecret(fmt.Appendf(nil, "%x", b))), note, nil
	}
	if !strings.HasPrefix(cfg.Secret.Spec, "plain:") {
		return nil, "", fmt.Errorf("%s: the local stack reads only plain:<value>, not Secrets Manager or SSM", config.EnvSecret)
	}
	ks, err := secret.LoadKeys(context.Background(), cfg.Secret, nil, nil, nil)
	if err != nil {
		return nil, "", err
	}
	return ks, "from " + config.EnvSecret, nil
}
