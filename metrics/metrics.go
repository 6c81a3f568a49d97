// Package metrics writes counters as CloudWatch Embedded Metric Format lines,
// so a Lambda's stdout becomes metrics without a CloudWatch API call in the
// request path. It never writes a phone number or code: callers pass names
// and low-cardinality dimensions only.
package metrics

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace alarms and dashboards read.
const Namespace = "CognitoPhoneOTP"

// Counter records that something happened.
type Counter interface {
	Count(name string, dims ...Dim)
}

// Recorder also records measured values (latency, cost).
type Recorder interface {
	Counter
	Value(name string, v float64, unit Unit, dims ...Dim)
}

// Unit is a CloudWatch unit.
type Unit string

// Units used here.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	None         Unit = "None"
)

// Dim is one metric dimension (e.g. Trigger=CreateAuthChallenge).
type Dim struct{ Name, Value string }

// Unknown is written for an empty dimension value.
const Unknown = "unknown"

// EMF writes one Embedded Metric Format JSON line per Count.
type EMF struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// NewEMF returns an EMF writer to w (os.Stdout in Lambda).
func NewEMF(w io.Writer, now func() time.Time) *EMF {
	if now == nil {
		now = time.Now
	}
	return &EMF{w: w, now: now}
}

// Count writes name=1 with dims.
func (e *EMF) Count(name string, dims ...Dim) { e.Value(name, 1, Count, dims...) }

// Value writes name=v in unit with dims.
func (e *EMF) Value(name string, v float64, unit Unit, dims ...Dim) {
	names := make([]string, len(dims))
	line := map[string]any{name: v}
	for i, d := range dims {
		names[i] = d.Name
		line[d.Name] = d.Value
		if d.Value == "" {
			// CloudWatch drops every dimension of a line with an empty value.
			line[d.Name] = Unknown
		}
	}
	line["_aws"] = map[string]any{
		"Timestamp": e.now().UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  Namespace,
			"Dimensions": dimensionSets(names),
			"Metrics":    []any{map[string]string{"Name": name, "Unit": string(unit)}},
		}},
	}
	b, err := json.Marshal(line)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Write(append(b, '\n'))
}

// Discard records nothing.
type Discard struct{}

// Count does nothing.
func (Discard) Count(string, ...Dim) {}

// Value does nothing.
func (Discard) Value(string, float64, Unit, ...Dim) {}

// dimensionSets also publishes a metric with dimensions rolled up into one
// without any, so an alarm can watch the total (all countries, all
// providers) with plain metric math.
func dimensionSets(names []string) [][]string {
	if len(names) == 0 {
		return [][]string{names}
	}
	return [][]string{names, {}}
}
