package localstack

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// store is what both the triggers and the worker need of the challenge store.
type store interface {
	triggers.Store
	worker.Claims
}

// backends are the store and queue the stack runs on, and how the worker
// reads the queue.
type backends struct {
	store   store
	queue   triggers.Queue
	poll    func(ctx context.Context, w *worker.Worker, log *slog.Logger) error
	summary string
}

// newBackends picks embedded memory, or DynamoDB and SQS when
// OTP_TABLE_NAME and OTP_QUEUE_URL are set (both or neither).
func newBackends(ctx context.Context, o Options, cfg config.Config) (*backends, error) {
	switch {
	case cfg.Table == "" && cfg.QueueURL == "":
		q := queue.NewMem(10_000)
		return &backends{
			store: mem.New(o.Now), queue: q, summary: "embedded (in-memory store and queue)",
			poll: func(ctx context.Context, w *worker.Worker, log *slog.Logger) error {
				return pollMem(ctx, q, w, log, o.Workers)
			},
		}, nil
	case cfg.Table == "" || cfg.QueueURL == "":
		return nil, fmt.Errorf("set both %s and %s (DynamoDB and SQS), or neither (embedded)", config.EnvTable, config.EnvQueueURL)
	}
	dlq := o.Getenv(config.EnvDLQURL)
	if dlq == "" {
		return nil, fmt.Errorf("%s: required with %s", config.EnvDLQURL, config.EnvQueueURL)
	}
	awsCfg, err := awsConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	if o.CreateTable {
		if err := createTable(ctx, db, cfg.Table); err != nil {
			return nil, err
		}
	}
	st, err := dynamo.New(db, cfg.Table)
	if err != nil {
		return nil, err
	}
	sqsc := sqs.NewFromConfig(awsCfg)
	q, err := queue.NewSQS(sqsc, cfg.QueueURL)
	if err != nil {
		return nil, err
	}
	return &backends{
		store: st, queue: q, summary: "DynamoDB table " + cfg.Table + ", SQS queue " + cfg.QueueURL,
		poll: func(ctx context.Context, w *worker.Worker, log *slog.Logger) error {
			return pollSQS(ctx, w, sqsc, cfg.QueueURL, dlq, o.Workers)
		},
	}, nil
}

func awsConfig(ctx context.Context, o Options) (aws.Config, error) {
	if o.AWS != nil {
		return *o.AWS, nil
	}
	c, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws configuration: %w", err)
	}
	return c, nil
}

// createTable makes the table for DynamoDB Local; one that exists is fine.
func createTable(ctx context.Context, db *dynamodb.Client, name string) error {
	_, err := db.CreateTable(ctx, schema.CreateTableInput(name))
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	return nil
}

// keys is the server secret: OTP_SECRET when set (plain: only, since the
// local stack reads no Secrets Manager), else random per run, which is
// right for the embedded store: nothing outlives the process.
func keys(cfg config.Config) (*otp.KeySource, string, error) {
	if cfg.Secret == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return otp.NewKeySource(otp.StaticSecret(fmt.Appendf(nil, "%x", b))), "random, made at start", nil
	}
	src, err := secret.FromSpec(cfg.Secret, nil, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", config.EnvSecret, err)
	}
	ks := otp.NewKeySource(secret.NewCache(src, cfg.SecretCacheTTL, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := ks.Keyring(ctx); err != nil {
		return nil, "", fmt.Errorf("%s: %w", config.EnvSecret, err)
	}
	return ks, "from " + config.EnvSecret, nil
}
