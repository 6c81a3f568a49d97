// Package app wires configuration into the real AWS clients and the
// packages' constructors, for the Lambda mains. It holds no logic of its
// own: each function's behaviour lives in triggers, store, queue and otp.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// sdkAttempts bounds each AWS call: Cognito gives a trigger 5 s in all, so
// one retry fits and a third attempt would not.
const sdkAttempts = 2

// Deps are the wired dependencies a main picks from.
type Deps struct {
	Config config.Config
	Log    *slog.Logger
	AWS    aws.Config
}

// Load parses the environment, checks the variables this function needs,
// and loads the AWS configuration. Endpoints can be pointed elsewhere with
// the SDK's own AWS_ENDPOINT_URL_DYNAMODB / _SQS / ... variables.
func Load(ctx context.Context, required ...string) (*Deps, error) {
	cfg, err := config.FromEnv(os.Getenv)
	if err == nil {
		err = cfg.Require(required...)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err != nil {
		return &Deps{Log: log}, fmt.Errorf("configuration: %w", err)
	}
	// Every cold start, so test numbers left on are seen in the logs.
	if w := cfg.Triggers.TestNumbersWarning(); w != "" {
		log.Warn(w, "var", config.EnvTestNumbers)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryMaxAttempts(sdkAttempts))
	if err != nil {
		return &Deps{Log: log}, fmt.Errorf("aws configuration: %w", err)
	}
	// Without credentials every call would fail; say so at start, once.
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := awsCfg.Credentials.Retrieve(cctx); err != nil {
		return &Deps{Log: log}, fmt.Errorf("aws credentials: %w", err)
	}
	return &Deps{Config: cfg, Log: log, AWS: awsCfg}, nil
}

// Exit logs err and ends the process; mains call it when wiring fails, so
// Lambda reports an init error instead of failing every sign-in.
func Exit(log *slog.Logger, err error) {
	log.Error("start-up failed", "err", err)
	os.Exit(1)
}

// Env is the triggers' environment: JSON logs and EMF metrics on stdout.
func (d *Deps) Env() triggers.Env {
	return triggers.Env{Log: d.Log, Metrics: metrics.NewEMF(os.Stdout, nil)}
}

// Keys reads the secret through a cache of at most OTP_SECRET_CACHE_TTL.
func (d *Deps) Keys() (*otp.KeySource, error) {
	if strings.HasPrefix(d.Config.Secret, "plain:") {
		d.Log.Warn("OTP_SECRET is a plain value: for local use only; use secretsmanager: or ssm: in AWS")
	}
	src, err := secret.FromSpec(d.Config.Secret, secretsmanager.NewFromConfig(d.AWS), ssm.NewFromConfig(d.AWS))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvSecret, err)
	}
	keys := otp.NewKeySource(secret.NewCache(src, d.Config.SecretCacheTTL, nil))
	// Read it once at start, so a missing, unreadable or too short secret
	// fails the function's start instead of every sign-in.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := keys.Keyring(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvSecret, err)
	}
	return keys, nil
}

// Store is the DynamoDB challenge store.
func (d *Deps) Store() (*dynamo.Store, error) {
	return dynamo.New(dynamodb.NewFromConfig(d.AWS), d.Config.Table)
}

// Queue is the SQS enqueue side.
func (d *Deps) Queue() (*queue.SQS, error) {
	return queue.NewSQS(sqs.NewFromConfig(d.AWS), d.Config.QueueURL)
}
