package routing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
)

// Plan is the operator's routing: the provider order, per-country orders,
// providers switched off, per-provider sends per second and whether measured
// delivery may re-rank the order. The environment (SMS_PROVIDERS,
// SMS_ROUTES, SMS_RATE_*) and the SSM parameter (JSON) both become a Plan,
// and Check holds every rule both obey.
type Plan struct {
	// Providers is the order for every country without a route.
	Providers []string `json:"providers,omitempty"`
	// Routes replaces Providers for a country (ISO 3166 alpha-2).
	Routes map[string][]string `json:"routes,omitempty"`
	// Disabled providers are never used, whatever the lists say.
	Disabled []string `json:"disabled,omitempty"`
	// Rates are messages per second per sender, by provider.
	Rates map[string]float64 `json:"rates,omitempty"`
	// Measured false pins the configured order: no re-ranking by measured
	// delivery and no exploration. Unset means true.
	Measured *bool `json:"measured,omitempty"`
}

// Bounds of a provider's rate (messages per second per sender).
const (
	MinRate = 0.01
	MaxRate = 10000
)

// MaxPlanBytes bounds a plan's JSON: an SSM standard parameter holds 4 KB.
const MaxPlanBytes = 4096

// KnownProviders are the provider names the sms-worker function can build;
// otpctl checks a plan against them. The worker checks an override against
// the providers it actually built.
var KnownProviders = channel.Providers

// ParseList reads a comma-separated provider list ("Twilio, sns"): names
// trimmed and lower-cased, empty items dropped. Check judges the names.
func ParseList(s string) []string {
	var out []string
	for _, name := range strings.Split(s, ",") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// ParseRoutes reads "COUNTRY=provider,provider;COUNTRY=...". Items it cannot
// split come back as problems (Field "routes"); Check judges the rest.
func ParseRoutes(s string) (map[string][]string, []Problem) {
	out := map[string][]string{}
	var probs []Problem
	for _, route := range strings.Split(s, ";") {
		if route = strings.TrimSpace(route); route == "" {
			continue
		}
		country, list, ok := strings.Cut(route, "=")
		if !ok {
			probs = append(probs, Problem{"routes", fmt.Sprintf("%.20q: want COUNTRY=provider,provider;...", route)})
			continue
		}
		out[strings.ToUpper(strings.TrimSpace(country))] = ParseList(list)
	}
	return out, probs
}

// ParseJSON reads a plan from JSON: one object, no unknown fields, at most
// MaxPlanBytes, with names normalised as ParseList and ParseRoutes do. It
// does not Check the plan.
func ParseJSON(b []byte) (Plan, error) {
	if len(b) > MaxPlanBytes {
		return Plan{}, fmt.Errorf("plan is %d bytes, more than %d", len(b), MaxPlanBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return Plan{}, fmt.Errorf("plan JSON: %w", err)
	}
	if dec.More() {
		return Plan{}, errors.New("plan JSON: more than one value")
	}
	return p.normalized(), nil
}

// JSON is p as ParseJSON reads it, indented for people.
func (p Plan) JSON() []byte {
	b, _ := json.MarshalIndent(p, "", "  ")
	return b
}

// normalized lower-cases provider names and upper-cases countries, as the
// environment's parsers do, so both sources meet the same rules.
func (p Plan) normalized() Plan {
	low := func(l []string) []string {
		if l == nil {
			return nil
		}
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = strings.ToLower(strings.TrimSpace(s))
		}
		return out
	}
	q := Plan{Providers: low(p.Providers), Disabled: low(p.Disabled), Measured: p.Measured}
	if p.Routes != nil {
		q.Routes = make(map[string][]string, len(p.Routes))
		for c, l := range p.Routes {
			q.Routes[strings.ToUpper(strings.TrimSpace(c))] = low(l)
		}
	}
	if p.Rates != nil {
		q.Rates = make(map[string]float64, len(p.Rates))
		for n, r := range p.Rates {
			q.Rates[strings.ToLower(strings.TrimSpace(n))] = r
		}
	}
	return q
}

// Problem is one broken rule of a plan. Field is "providers", "routes",
// "routes.<COUNTRY>", "disabled" or "rates.<provider>", so the environment's
// parser can name the variable and a JSON error the key.
type Problem struct{ Field, Why string }

func (p Problem) Error() string { return p.Field + ": " + p.Why }

// Err joins problems into one error, or nil.
func Err(probs []Problem) error {
	errs := make([]error, len(probs))
	for i, p := range probs {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Check reports every broken rule, with known the providers that may be
// named: each name known, no list naming one twice, route keys upper-case
// ISO 3166 alpha-2 codes, no empty route, rates from MinRate to MaxRate,
// and Providers (when given) keeping at least one provider that is not
// disabled. A route whose every provider is disabled is no fault: it falls
// back to Providers (see List), so disabling a provider in an outage works
// even where it is a country's only route; with no Providers to fall back
// on, such a route is refused.
func (p Plan) Check(known []string) []Problem {
	var probs []Problem
	probs = append(probs, checkList("providers", p.Providers, known, p.Disabled)...)
	for _, c := range slices.Sorted(maps.Keys(p.Routes)) {
		field := "routes." + c
		switch {
		case !country.Known(c):
			probs = append(probs, Problem{field, fmt.Sprintf("%.10q is not an ISO 3166 alpha-2 country code", c)})
		case len(p.Routes[c]) == 0:
			probs = append(probs, Problem{field, "names no provider"})
		case len(p.Providers) == 0:
			probs = append(probs, checkList(field, p.Routes[c], known, p.Disabled)...)
		default:
			probs = append(probs, checkList(field, p.Routes[c], known, nil)...)
		}
	}
	probs = append(probs, checkList("disabled", p.Disabled, known, nil)...)
	for _, name := range slices.Sorted(maps.Keys(p.Rates)) {
		field, r := "rates."+name, p.Rates[name]
		switch {
		case !slices.Contains(known, name):
			probs = append(probs, Problem{field, fmt.Sprintf("names no provider (%s)", strings.Join(known, ", "))})
		case math.IsNaN(r) || r < MinRate || r > MaxRate:
			probs = append(probs, Problem{field, fmt.Sprintf("%g is not a number from %g to %g", r, float64(MinRate), float64(MaxRate))})
		}
	}
	return probs
}

// checkList checks one list's names; with disabled, that one of them stays on.
func checkList(field string, list, known, disabled []string) []Problem {
	var probs []Problem
	seen := map[string]bool{}
	on := 0
	for _, name := range list {
		switch {
		case !slices.Contains(known, name):
			probs = append(probs, Problem{field, fmt.Sprintf("%.20q is not a provider (%s)", name, strings.Join(known, ", "))})
		case seen[name]:
			probs = append(probs, Problem{field, name + " listed twice"})
		case !slices.Contains(disabled, name):
			on++
		}
		seen[name] = true
	}
	if disabled != nil && len(list) > 0 && on == 0 && len(probs) == 0 {
		probs = append(probs, Problem{field, "every provider of it is disabled: at least one must stay on"})
	}
	return probs
}

// Over is p with o's settings laid over it: o's Providers, Routes (all of
// them, so an empty object clears the routes), Disabled and Measured replace
// p's when o sets them; o's Rates replace p's provider by provider.
func (p Plan) Over(o Plan) Plan {
	q := Plan{Providers: p.Providers, Routes: p.Routes, Disabled: p.Disabled, Measured: p.Measured, Rates: maps.Clone(p.Rates)}
	if len(o.Providers) > 0 {
		q.Providers = o.Providers
	}
	if o.Routes != nil {
		q.Routes = o.Routes
	}
	if o.Disabled != nil {
		q.Disabled = o.Disabled
	}
	if o.Measured != nil {
		q.Measured = o.Measured
	}
	for name, r := range o.Rates {
		if q.Rates == nil {
			q.Rates = map[string]float64{}
		}
		q.Rates[name] = r
	}
	return q
}

// List is the configured order for country without disabled providers:
// its route, or Providers when it has none or every provider of its route
// is disabled (an outage must not leave a country without a way).
func (p Plan) List(country string) []string {
	if l := p.on(channel.Plan{Default: p.Providers, Routes: p.Routes}.Order(country)); len(l) > 0 {
		return l
	}
	return p.on(p.Providers)
}

// on is list without the disabled providers, in a new slice.
func (p Plan) on(list []string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(n string) bool { return slices.Contains(p.Disabled, n) })
}

// FallingBack are the countries whose route has every provider disabled,
// so that List gives them Providers instead, sorted.
func (p Plan) FallingBack() []string {
	var out []string
	for _, c := range slices.Sorted(maps.Keys(p.Routes)) {
		if len(p.Routes[c]) > 0 && len(p.on(p.Routes[c])) == 0 {
			out = append(out, c)
		}
	}
	return out
}

// Names are the providers p names (Providers and every route), sorted:
// those the sms-worker builds from the environment's plan, so the ones an
// override may name.
func (p Plan) Names() []string {
	names := slices.Clone(p.Providers)
	for _, l := range p.Routes {
		names = append(names, l...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// CheckOver is the plan an override makes over base, checked against
// known (the providers the worker built): the one rule the sms-worker
// applies to the SSM parameter and otpctl applies before it writes.
func CheckOver(base, over Plan, known []string) (Plan, error) {
	p := base.Over(over)
	return p, Err(p.Check(known))
}

// MeasuredOn reports whether measured delivery may re-rank the order.
func (p Plan) MeasuredOn() bool { return p.Measured == nil || *p.Measured }
