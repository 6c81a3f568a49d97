package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
	snsp "github.com/cognito-phone-otp/cognito-phone-otp/providers/sns"
	twiliop "github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// EnvTwilioAuthTokenSecret names where the Twilio auth token lives, as
// OTP_SECRET does for the server secret: secretsmanager:, ssm: or plain:
// (local use only).
const EnvTwilioAuthTokenSecret = "TWILIO_AUTH_TOKEN_SECRET"

// Worker wires the SMS worker's Lambda driver (or poller) from the
// environment: providers in SMS_PROVIDERS order behind per-sender rate
// limits and a failover chain, the DynamoDB claims, the templates.
func (d *Deps) Worker(ctx context.Context, getenv func(string) string, environ []string, stdout io.Writer) (*worker.Driver, error) {
	wc, err := config.WorkerFromEnv(getenv, environ)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	if err := d.Config.Require(config.EnvTable, config.EnvQueueURL, config.EnvSecret); err != nil {
		return nil, err
	}
	if wc.DLQURL == "" {
		return nil, fmt.Errorf("%s: required", config.EnvDLQURL)
	}
	chain, err := d.chain(ctx, wc, getenv, stdout)
	if err != nil {
		return nil, err
	}
	text, err := smstext.New(wc.Templates, wc.Domain, wc.AppHash)
	if err != nil {
		return nil, fmt.Errorf("%s / %s / %s*: %w", config.EnvDomain, config.EnvAppHash, config.EnvTemplatePrefix, err)
	}
	prices, err := worker.ParsePrices(wc.Prices)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvPrices, err)
	}
	keys, err := d.Keys()
	if err != nil {
		return nil, err
	}
	claims, err := dynamo.New(dynamodb.NewFromConfig(d.AWS), d.Config.Table)
	if err != nil {
		return nil, err
	}
	w, err := worker.New(worker.Config{
		MaxAttempts: wc.MaxAttempts, ClaimStale: wc.ClaimStale, BackoffBase: wc.BackoffBase,
		BackoffMax: wc.BackoffMax, SendTimeout: wc.SendTimeout, Concurrency: wc.Concurrency,
	}, claims, keys, text, chain, prices, worker.Env{Log: d.Log, Metrics: metrics.NewEMF(stdout, nil)})
	if err != nil {
		return nil, err
	}
	return worker.NewDriver(w, sqs.NewFromConfig(d.AWS), d.Config.QueueURL, wc.DLQURL)
}

// chain builds each named provider once, rate-limited per sender, and the
// failover chain with its per-country routes.
func (d *Deps) chain(ctx context.Context, wc config.Worker, getenv func(string) string, stdout io.Writer) (*providers.Chain, error) {
	built := map[string]providers.Provider{}
	limiters := &providers.Limiters{}
	var errs []error
	get := func(name string) providers.Provider {
		if p, ok := built[name]; ok {
			return p
		}
		p, sender, err := d.provider(ctx, name, wc, getenv, stdout)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		limited, err := limiters.RateLimited(p, name+":"+sender, wc.Rates[name], wc.RateMaxWait)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s%s: %w", config.EnvRatePrefix, strings.ToUpper(name), err))
			return nil
		}
		built[name] = limited
		return limited
	}
	list := func(names []string) []providers.Provider {
		out := make([]providers.Provider, 0, len(names))
		for _, n := range names {
			if p := get(n); p != nil {
				out = append(out, p)
			}
		}
		return out
	}
	order := list(wc.Providers)
	routes := map[string][]providers.Provider{}
	for country, names := range wc.Routes {
		routes[country] = list(names)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	chain, err := providers.NewChain(order, routes, providers.BreakerConfig{
		Failures: wc.BreakerFailures, CoolDown: wc.BreakerCooldown,
	}, time.Now)
	if err != nil {
		return nil, fmt.Errorf("%s / %s: %w", config.EnvProviders, config.EnvRoutes, err)
	}
	// Each provider gets its share of the send budget, so one that hangs
	// hands over to the next instead of using it all.
	longest := len(order)
	for _, r := range routes {
		longest = max(longest, len(r))
	}
	chain.SetAttemptTimeout(wc.SendTimeout / time.Duration(max(1, longest)))
	return chain, nil
}

// provider builds one provider and names its sender (the rate-limit key).
func (d *Deps) provider(ctx context.Context, name string, wc config.Worker, getenv func(string) string, stdout io.Writer) (providers.Provider, string, error) {
	switch name {
	case "sns":
		cfg := snsp.ConfigFromEnv(getenv)
		// One attempt: an SDK retry of a Publish that SNS accepted but whose
		// answer was lost would text the user twice; the queue retries instead.
		client := sns.NewFromConfig(d.AWS, func(o *sns.Options) { o.RetryMaxAttempts = 1 })
		p, err := snsp.New(client, cfg)
		return p, firstOf(cfg.OriginationNumber, cfg.SenderID, "default"), err
	case "twilio":
		cfg := twiliop.FromEnv(getenv)
		token, err := d.secretValue(ctx, getenv(EnvTwilioAuthTokenSecret))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", EnvTwilioAuthTokenSecret, err)
		}
		cfg.AuthToken = token
		p, err := twiliop.New(cfg)
		return p, firstOf(cfg.MessagingServiceSID, cfg.From), err
	case "console":
		p, err := console.New(stdout, wc.ConsoleOutbox)
		return p, "console", err
	}
	return nil, "", fmt.Errorf("%s: unknown provider %q", config.EnvProviders, name)
}

// secretValue reads a credential once at start-up; a rotated Twilio token
// takes effect when the function's instances are replaced.
func (d *Deps) secretValue(ctx context.Context, spec string) (string, error) {
	if strings.TrimSpace(spec) == "" {
		return "", errors.New("required: secretsmanager:<name>, ssm:<name> or plain:<token> (local use only)")
	}
	src, err := secret.FromSpec(spec, secretsmanager.NewFromConfig(d.AWS), ssm.NewFromConfig(d.AWS))
	if err != nil {
		return "", err
	}
	v, err := src.Fetch(ctx)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(v)), nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
