package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
	eump "github.com/cognito-phone-otp/cognito-phone-otp/providers/eum"
	snsp "github.com/cognito-phone-otp/cognito-phone-otp/providers/sns"
	twiliop "github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/secret"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// wire builds the worker's Lambda driver (or poller) from s: providers in
// SMS_PROVIDERS order behind per-sender rate limits and a failover chain,
// the DynamoDB claims, the templates.
func wire(ctx context.Context, s worker.Settings, cfg aws.Config, keys worker.Keys, getenv func(string) string, stdout io.Writer, log *slog.Logger) (*worker.Driver, error) {
	d := deps{aws: cfg}
	db := dynamodb.NewFromConfig(cfg)
	sent, err := dynamo.NewLedger(db, s.Table, s.Delivery)
	if err != nil {
		return nil, err
	}
	emf := metrics.NewEMF(stdout, nil)
	chain, router, err := d.chain(ctx, s, getenv, stdout, routed{tallies: sent, log: log, metrics: emf})
	if err != nil {
		return nil, err
	}
	text, err := smstext.New(s.Templates, s.Domain, s.AppHash, smstext.CognitoOverrides(s.CognitoTemplates))
	if err != nil {
		return nil, fmt.Errorf("%s / %s / %s*: %w", worker.EnvDomain, worker.EnvAppHash, worker.EnvTemplatePrefix, err)
	}
	prices, err := worker.ParsePrices(s.Prices)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", worker.EnvPrices, err)
	}
	claims, err := dynamo.New(db, s.Table)
	if err != nil {
		return nil, err
	}
	env := worker.Env{Log: log, Metrics: emf, Sent: sent}
	if s.Resend.MaxSends > 1 {
		// The next provider is the next in the router's order for the
		// country (measured delivery, the SSM overrides), sent through the
		// chain, so its breakers count resends too.
		if env.Resend, err = worker.NewResend(s.Resend, router, chain, claims, sent); err != nil {
			return nil, err
		}
	}
	w, err := worker.New(s.Config, claims, keys, text, chain, prices, env)
	if err != nil {
		return nil, err
	}
	return worker.NewDriver(w, sqs.NewFromConfig(cfg), s.QueueURL, s.DLQURL)
}

// deps builds the providers' AWS clients.
type deps struct{ aws aws.Config }

// chain builds each named provider once, rate-limited per sender, and the
// failover chain with its per-country routes, ordered per message by the
// router (measured delivery, the SSM overrides); it also returns the
// router, for resends.
func (d deps) chain(ctx context.Context, wc worker.Settings, getenv func(string) string, stdout io.Writer, rt routed) (*providers.Chain, *routing.Router, error) {
	built := map[string]providers.Provider{}
	senders := map[string]string{} // provider -> rate-limit key
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
			errs = append(errs, fmt.Errorf("%s%s: %w", worker.EnvRatePrefix, strings.ToUpper(name), err))
			return nil
		}
		built[name], senders[name] = limited, name+":"+sender
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
		return nil, nil, err
	}
	router, err := d.router(ctx, wc, rt, limiters, senders)
	if err != nil {
		return nil, nil, err
	}
	chain, err := providers.NewChain(order, routes, providers.BreakerConfig{
		Failures: wc.BreakerFailures, CoolDown: wc.BreakerCooldown,
	}, time.Now, providers.WithSendBudget(wc.Config.SendTimeout), providers.WithRouter(router))
	if err != nil {
		return nil, nil, fmt.Errorf("%s / %s: %w", worker.EnvProviders, worker.EnvRoutes, err)
	}
	return chain, router, nil
}

// provider builds one provider and names its sender (the rate-limit key).
func (d deps) provider(ctx context.Context, name string, wc worker.Settings, getenv func(string) string, stdout io.Writer) (providers.Provider, string, error) {
	switch name {
	case "sns":
		cfg := snsp.ConfigFromEnv(getenv)
		// One attempt: an SDK retry of a Publish that SNS accepted but whose
		// answer was lost would text the user twice; the queue retries instead.
		client := sns.NewFromConfig(d.aws, func(o *sns.Options) { o.RetryMaxAttempts = 1 })
		p, err := snsp.New(client, cfg)
		return p, firstOf(cfg.OriginationNumber, cfg.SenderID, "default"), err
	case "twilio":
		cfg := twiliop.ConfigFromEnv(getenv)
		token, err := d.twilioToken(ctx, getenv)
		if err != nil {
			return nil, "", err
		}
		cfg.AuthToken = token
		p, err := twiliop.New(cfg)
		return p, firstOf(cfg.MessagingServiceSID, cfg.From), err
	case "whatsapp":
		cfg := twiliop.WhatsAppConfigFromEnv(getenv)
		token, err := d.twilioToken(ctx, getenv)
		if err != nil {
			return nil, "", err
		}
		cfg.Account.AuthToken = token
		p, err := twiliop.NewWhatsApp(cfg)
		if err != nil {
			return nil, "", err
		}
		return p, p.Sender(), nil
	case "eum":
		cfg := eump.ConfigFromEnv(getenv)
		// One attempt, as for SNS: the queue retries.
		client := pinpointsmsvoicev2.NewFromConfig(d.aws, func(o *pinpointsmsvoicev2.Options) { o.RetryMaxAttempts = 1 })
		p, err := eump.New(client, cfg, time.Now)
		if err != nil {
			return nil, "", err
		}
		return p, p.Sender(), nil
	case "console":
		p, err := console.New(stdout, wc.ConsoleOutbox)
		return p, "console", err
	}
	return nil, "", fmt.Errorf("%s: unknown provider %q", worker.EnvProviders, name)
}

// twilioToken reads the auth token the twilio and whatsapp providers share
// (one account).
func (d deps) twilioToken(ctx context.Context, getenv func(string) string) (string, error) {
	token, err := secret.LoadValueAWS(ctx, getenv(twiliop.EnvAuthTokenSecret), d.aws)
	if err != nil {
		return "", fmt.Errorf("%s: %w", twiliop.EnvAuthTokenSecret, err)
	}
	return token, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
