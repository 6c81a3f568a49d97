package routing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrNoParameter: the parameter does not exist. Not a fault: the
// environment's plan stands.
var ErrNoParameter = errors.New("routing parameter not found")

// ParameterReader reads a parameter's current value (routing/ssmparam over
// the SSM API, or the Parameters and Secrets Lambda Extension); a missing
// parameter is an error wrapping ErrNoParameter.
type ParameterReader interface {
	Parameter(ctx context.Context, name string) (string, error)
}

// Overrides is the plan in force: the environment's plan with the SSM
// parameter's JSON laid over it (Plan.Over), read at most once per TTL. A
// value that does not parse or breaks a rule (Plan.Check, against the
// providers the worker built) is refused: the last good plan stays, and
// the refusal is logged and counted (RoutingOverrideRefused), at every read
// until the value is fixed. A read that fails keeps the last good plan too
// (RoutingParameterFailed). Safe for concurrent use.
type Overrides struct {
	base     Plan
	known    []string
	src      ParameterReader
	name     string
	ttl      time.Duration
	env      Env
	onChange func(Plan)

	mu        sync.Mutex
	plan      Plan   // in force
	raw       string // the value plan came from; "" for none
	fetchedAt time.Time
	fetching  bool
}

// Parameter TTL bounds (SMS_ROUTING_PARAMETER_TTL).
const (
	DefaultParameterTTL = 30 * time.Second
	MinParameterTTL     = time.Second
	MaxParameterTTL     = 10 * time.Minute
)

// NewOverrides returns the plan base overridden by the parameter name, read
// through src every ttl. base must pass Check(known). onChange, if not nil,
// is called with each new plan in force (e.g. to set send rates), once with
// base before NewOverrides returns.
func NewOverrides(base Plan, known []string, src ParameterReader, name string, ttl time.Duration, env Env, onChange func(Plan)) (*Overrides, error) {
	switch {
	case src == nil || name == "":
		return nil, errors.New("routing overrides: a reader and a parameter name are required")
	case ttl < MinParameterTTL || ttl > MaxParameterTTL:
		return nil, fmt.Errorf("routing overrides: ttl %s: must be %s to %s", ttl, MinParameterTTL, MaxParameterTTL)
	case len(base.Providers) == 0:
		return nil, errors.New("routing overrides: the base plan has no providers")
	}
	if err := Err(base.Check(known)); err != nil {
		return nil, fmt.Errorf("routing overrides: base plan: %w", err)
	}
	if onChange == nil {
		onChange = func(Plan) {}
	}
	o := &Overrides{base: base, known: known, src: src, name: name, ttl: ttl, env: env.WithDefaults(), onChange: onChange, plan: base}
	onChange(base)
	return o, nil
}

// Plan is the plan in force, read again when older than the TTL. One
// caller reads; the others meanwhile get the plan there is.
func (o *Overrides) Plan(ctx context.Context) Plan {
	now := o.env.Now()
	o.mu.Lock()
	if o.fetching || (!o.fetchedAt.IsZero() && now.Sub(o.fetchedAt) < o.ttl) {
		defer o.mu.Unlock()
		return o.plan
	}
	o.fetching = true
	o.mu.Unlock()
	o.refresh(ctx, now)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fetching = false
	return o.plan
}

// refresh reads the parameter and applies it.
func (o *Overrides) refresh(ctx context.Context, now time.Time) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshBudget)
	defer cancel()
	raw, err := o.src.Parameter(ctx, o.name)
	o.mu.Lock()
	o.fetchedAt = now
	o.mu.Unlock()
	switch {
	case errors.Is(err, ErrNoParameter):
		o.apply("", o.base)
	case err != nil:
		o.env.Log.Warn("routing parameter unreadable; keeping the last good plan", "parameter", o.name, "err", err)
		o.env.Metrics.Count("RoutingParameterFailed")
	default:
		p, err := o.effective(raw)
		if err != nil {
			o.env.Log.Error("routing parameter refused; keeping the last good plan", "parameter", o.name, "err", err)
			o.env.Metrics.Count("RoutingOverrideRefused")
			return
		}
		o.apply(raw, p)
	}
}

// effective is the plan raw makes, or why it is refused.
func (o *Overrides) effective(raw string) (Plan, error) {
	over, err := ParseJSON([]byte(raw))
	if err != nil {
		return Plan{}, err
	}
	return CheckOver(o.base, over, o.known)
}

// apply puts p, from raw, in force unless it already is.
func (o *Overrides) apply(raw string, p Plan) {
	o.mu.Lock()
	same := raw == o.raw
	if !same {
		o.plan, o.raw = p, raw
	}
	o.mu.Unlock()
	if same {
		return
	}
	o.env.Log.Info("routing plan in force", "parameter", o.name, "plan", string(p.JSON()), "from_parameter", raw != "", "routes_falling_back", p.FallingBack())
	o.env.Metrics.Count("RoutingPlanChanged")
	o.onChange(p)
}

// Fetch reads the parameter now, whatever the TTL: at start-up, so an
// instance begins with the operator's plan rather than the environment's.
func (o *Overrides) Fetch(ctx context.Context) Plan {
	o.mu.Lock()
	o.fetchedAt = time.Time{}
	o.mu.Unlock()
	return o.Plan(ctx)
}

var _ Plans = (*Overrides)(nil)
