package routing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
)

// Tallies sums the delivery tallies of one provider and country over
// [from, to) (store/dynamo.Ledger, store/mem.Ledger).
type Tallies interface {
	Tally(ctx context.Context, provider, country string, from, to time.Time) (delivery.Tally, error)
}

// Plans yields the plan in force (an *Overrides, or Fixed).
type Plans interface {
	Plan(ctx context.Context) Plan
}

// Fixed is a plan that never changes (the environment's, without an SSM
// parameter).
type Fixed Plan

// Plan is p.
func (p Fixed) Plan(context.Context) Plan { return Plan(p) }

// Config shapes the measured ranking.
type Config struct {
	// Window: the ranking sums the tallies of the last Window. A provider
	// that degrades falls behind once its bad receipts outweigh its good
	// ones in it; one that recovers is first again at the latest one Window
	// after it recovered.
	Window time.Duration
	// Refresh: a country's tallies are read at most once per Refresh per
	// worker instance, not per message.
	Refresh time.Duration
	// MinSamples: a provider counts as measured in a country once the
	// window holds this many of its messages with a final receipt.
	MinSamples int
	// Explore is the share of messages sent first through a provider other
	// than the first choice (uniformly among the others), so a provider that
	// lost first place keeps a sample and is learned again when it recovers.
	Explore float64
}

// recent is the recent part of the window whose delivery can pull a
// provider's score down on its own: a sixth of it, at least 5 minutes.
func (c Config) recent() time.Duration { return max(c.Window/6, 5*time.Minute) }

// DefaultConfig: the last hour, read once a minute, 20 final receipts for
// a measurement, 5% exploration.
func DefaultConfig() Config {
	return Config{Window: time.Hour, Refresh: time.Minute, MinSamples: 20, Explore: 0.05}
}

// Bounds Validate and the environment's parser share.
const (
	MinWindow     = 5 * time.Minute
	MaxWindow     = 24 * time.Hour
	MinRefresh    = time.Second
	MaxRefresh    = 10 * time.Minute
	MinMinSamples = 5
	MaxMinSamples = 100000
	MaxExplore    = 0.5
)

// Validate checks the bounds.
func (c Config) Validate() error {
	var errs []error
	if c.Window < MinWindow || c.Window > MaxWindow {
		errs = append(errs, fmt.Errorf("window %s: must be %s to %s", c.Window, MinWindow, MaxWindow))
	}
	if c.Refresh < MinRefresh || c.Refresh > MaxRefresh {
		errs = append(errs, fmt.Errorf("refresh %s: must be %s to %s", c.Refresh, MinRefresh, MaxRefresh))
	}
	if c.MinSamples < MinMinSamples || c.MinSamples > MaxMinSamples {
		errs = append(errs, fmt.Errorf("minimum sample %d: must be %d to %d", c.MinSamples, MinMinSamples, MaxMinSamples))
	}
	if !(c.Explore >= 0 && c.Explore <= MaxExplore) {
		errs = append(errs, fmt.Errorf("exploration share %g: must be 0 to %g", c.Explore, MaxExplore))
	}
	return errors.Join(errs...)
}

// Env is what a Router or Overrides takes from the outside world.
type Env struct {
	Now     func() time.Time
	Rand    func() float64 // in [0,1), for exploration; safe for concurrent use
	Log     *slog.Logger
	Metrics metrics.Recorder
}

// WithDefaults fills what is unset: the wall clock, math/rand/v2, a logger
// and metrics that discard. The worker's Env takes the same (worker.New):
// the router runs inside the worker.
func (e Env) WithDefaults() Env {
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Rand == nil {
		e.Rand = rand.Float64
	}
	if e.Log == nil {
		e.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if e.Metrics == nil {
		e.Metrics = metrics.Discard{}
	}
	return e
}

// Router orders the providers for each country. The rule:
//
//   - The candidates are the plan's list for the country (its route, else
//     the provider order) without disabled providers, in that order.
//   - A candidate's sample is its messages to the country with a final
//     receipt (delivered, undelivered or failed) in the last Window; a
//     message still without one is unknown, not a failure.
//   - With MinSamples or more it is measured, and scored by the Wilson 95%
//     lower bound of its delivery rate, in whole points: fewer samples mean
//     a lower bound, so a short lucky streak does not win. When the last
//     sixth of the window (at least 5 minutes) holds MinSamples too, the
//     score is the lower of the two bounds: a failing provider drops within
//     minutes, a recovered one must win back the whole window.
//   - Measured candidates are sorted by score among the places they hold;
//     unmeasured ones keep their configured places; equal scores keep the
//     configured order. With fewer than two measured, the configured order
//     stands.
//   - A plan with measured=false pins the configured order.
//   - Pick, the order for one message, puts another candidate first for an
//     Explore share of messages.
//
// Tallies are read per country at most once per Refresh and instance. A
// change of a country's order is logged ("routing order"), and each read
// writes the metric RoutingRank{Country,Provider} (1 = first choice).
// A Router is safe for concurrent use.
type Router struct {
	cfg     Config
	plans   Plans
	tallies Tallies
	env     Env

	mu        sync.Mutex
	countries map[string]*countryState
}

type countryState struct {
	scores    map[string]Score // by provider, as of fetchedAt
	fetchedAt time.Time
	fetching  bool
	order     []string // last order handed out, for the change log
	report    bool     // write RoutingRank with the next order
}

// refreshBudget bounds one country's tally read: it happens inside a send.
const refreshBudget = 2 * time.Second

// New returns a Router over plans; tallies may be nil (configured order only).
func New(cfg Config, plans Plans, tallies Tallies, env Env) (*Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("routing config: %w", err)
	}
	if plans == nil {
		return nil, errors.New("routing: plans required")
	}
	return &Router{cfg: cfg, plans: plans, tallies: tallies, env: env.WithDefaults(), countries: map[string]*countryState{}}, nil
}

// Order is the provider order for country, best first, without
// exploration: what "the next provider" means for a resend. It may read
// the tallies (see Router), with a background context bounded to 2 s.
func (r *Router) Order(country string) []string {
	order, _ := r.order(context.Background(), country)
	return order
}

// Pick is the order for one message to country: Order, with another
// provider of the first one's channel first for an Explore share of
// messages (exploring never changes the channel the app was told of).
func (r *Router) Pick(ctx context.Context, country string) []string {
	order, measured := r.order(ctx, country)
	var peers []int // places of the other providers on the first one's channel
	if measured && len(order) > 1 {
		for i, name := range order[1:] {
			if channel.Of(name) == channel.Of(order[0]) {
				peers = append(peers, i+1)
			}
		}
	}
	if len(peers) == 0 || r.cfg.Explore == 0 || r.env.Rand() >= r.cfg.Explore {
		return order
	}
	j := peers[min(len(peers)-1, int(r.env.Rand()*float64(len(peers))))]
	out := append([]string{order[j]}, slices.Delete(slices.Clone(order), j, j+1)...)
	r.env.Metrics.Count("RoutingExplored", metrics.Dim{Name: "Country", Value: country}, metrics.Dim{Name: "Provider", Value: order[j]})
	return out
}

// order is the order for country and whether measured routing applies.
func (r *Router) order(ctx context.Context, country string) ([]string, bool) {
	country = strings.ToUpper(country)
	plan := r.plans.Plan(ctx)
	configured := plan.List(country)
	if !plan.MeasuredOn() || r.tallies == nil || len(configured) < 2 {
		r.note(country, configured, nil, "configured")
		return configured, false
	}
	scores := r.scores(ctx, country, configured)
	order := rank(configured, scores)
	r.note(country, order, scores, "measured")
	return order, true
}

// scores are the country's scores, read again when older than Refresh. One
// caller reads; the others meanwhile use the scores there are.
func (r *Router) scores(ctx context.Context, country string, names []string) map[string]Score {
	now := r.env.Now()
	r.mu.Lock()
	st := r.state(country)
	if st.fetching || (!st.fetchedAt.IsZero() && now.Sub(st.fetchedAt) < r.cfg.Refresh) {
		defer r.mu.Unlock()
		return st.scores
	}
	st.fetching = true
	old := st.scores
	r.mu.Unlock()

	fresh := r.read(ctx, country, names, old, now)

	r.mu.Lock()
	defer r.mu.Unlock()
	st.scores, st.fetchedAt, st.fetching, st.report = fresh, now, false, true
	return fresh
}

// read reads each provider's tally; a provider whose read fails keeps its
// old score (and the failure is logged and counted).
func (r *Router) read(ctx context.Context, country string, names []string, old map[string]Score, now time.Time) map[string]Score {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshBudget)
	defer cancel()
	out := make(map[string]Score, len(names))
	for _, name := range names {
		end := now.Add(time.Nanosecond)
		window, err := r.tallies.Tally(ctx, name, country, now.Add(-r.cfg.Window), end)
		var recent delivery.Tally
		if err == nil {
			recent, err = r.tallies.Tally(ctx, name, country, now.Add(-r.cfg.recent()), end)
		}
		if err != nil {
			r.env.Log.Warn("routing: delivery tally unreadable; keeping the last", "provider", name, "country", country, "err", err)
			r.env.Metrics.Count("RoutingTallyFailed", metrics.Dim{Name: "Provider", Value: name})
			out[name] = old[name]
			continue
		}
		out[name] = scoreOf(window, recent, r.cfg.MinSamples)
	}
	return out
}

func (r *Router) state(country string) *countryState {
	st := r.countries[country]
	if st == nil {
		st = &countryState{report: true}
		r.countries[country] = st
	}
	return st
}

// note logs a change of the country's order and writes RoutingRank after
// each tally read (and on a change).
func (r *Router) note(country string, order []string, scores map[string]Score, basis string) {
	r.mu.Lock()
	st := r.state(country)
	changed := !slices.Equal(st.order, order)
	report := changed || st.report
	was := st.order
	st.order, st.report = order, false
	r.mu.Unlock()
	if changed {
		r.env.Log.Info("routing order", "country", country, "order", strings.Join(order, ","), "was", strings.Join(was, ","), "basis", basis, "scores", describe(order, scores))
	}
	if report {
		for i, name := range order {
			r.env.Metrics.Value("RoutingRank", float64(i+1), metrics.None, metrics.Dim{Name: "Country", Value: country}, metrics.Dim{Name: "Provider", Value: name})
		}
	}
}

// describe is "twilio=0.93/212 sns=-/4": each provider's score and sample
// ("-" for unmeasured), for the change log.
func describe(order []string, scores map[string]Score) string {
	if scores == nil {
		return ""
	}
	parts := make([]string, len(order))
	for i, name := range order {
		s := scores[name]
		lower := "-"
		if s.Measured {
			lower = fmt.Sprintf("%.2f", s.Lower)
		}
		parts[i] = fmt.Sprintf("%s=%s/%d", name, lower, s.Final)
	}
	return strings.Join(parts, " ")
}
