package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing/ssmparam"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// routed is what the router needs from the rest of the wiring.
type routed struct {
	tallies routing.Tallies
	log     *slog.Logger
	metrics metrics.Recorder
}

// router orders each message's providers: the environment's plan, laid
// over by SMS_ROUTING_PARAMETER when set (read at start, then per TTL),
// re-ranked by measured delivery. A plan's rates go to the senders' buckets.
func (d deps) router(ctx context.Context, wc worker.Settings, rt routed, limiters *providers.Limiters, senders map[string]string) (*routing.Router, error) {
	known := slices.Sorted(maps.Keys(senders))
	base := wc.Plan()
	// Only the providers built have buckets: the others' default rates are moot.
	base.Rates = maps.Clone(base.Rates)
	maps.DeleteFunc(base.Rates, func(name string, _ float64) bool { return senders[name] == "" })
	env := routing.Env{Log: rt.log, Metrics: rt.metrics}
	var plans routing.Plans = routing.Fixed(base)
	if name := wc.Routing.Parameter; name != "" {
		setRates := func(p routing.Plan) {
			for provider, r := range p.Rates {
				if err := limiters.SetRate(senders[provider], r); err != nil {
					rt.log.Error("routing plan: rate not set", "provider", provider, "err", err)
				}
			}
		}
		o, err := routing.NewOverrides(base, known, ssmparam.NewReader(awsjson.New(d.aws, awsjson.SSM)), name, wc.Routing.ParameterTTL, env, setRates)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", routing.EnvParameter, err)
		}
		o.Fetch(ctx)
		plans = o
	}
	r, err := routing.New(wc.Routing.Config, plans, rt.tallies, env)
	if err != nil {
		return nil, fmt.Errorf("SMS_ROUTING_*: %w", err)
	}
	return r, nil
}
