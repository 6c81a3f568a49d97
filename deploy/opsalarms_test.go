package deploy_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
)

// Alarms on one counter's dimension-free total (metrics publishes every
// metric without dimensions too): each watches the exact name the code
// counts, in the file that counts it, and pages at the first one.
func TestCounterAlarms(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:123456789012:ops"
	tmpl := load(t, map[string]any{"AlarmTopicArn": topic})
	tests := []struct {
		alarm, metric, condition string
		file, emits              string // where the counter is counted, and how
	}{
		{"RoutingOverrideRefusedAlarm", "RoutingOverrideRefused", "RoutingOverrides", "../routing/overrides.go", `Count("RoutingOverrideRefused")`},
	}
	for _, tc := range tests {
		a, err := tmpl.GetCloudWatchAlarmWithName(tc.alarm)
		if err != nil {
			t.Errorf("%s: %v", tc.alarm, err)
			continue
		}
		if deref(a.Namespace) != metrics.Namespace || deref(a.MetricName) != tc.metric || len(a.Dimensions) != 0 {
			t.Errorf("%s watches %s/%s %+v, want %s/%s without dimensions", tc.alarm, deref(a.Namespace), deref(a.MetricName), a.Dimensions, metrics.Namespace, tc.metric)
		}
		if a.AWSCloudFormationCondition != tc.condition {
			t.Errorf("%s: condition %q, want %q", tc.alarm, a.AWSCloudFormationCondition, tc.condition)
		}
		if deref(a.Statistic) != "Sum" || deref(a.Threshold) != 0 || a.ComparisonOperator != "GreaterThanThreshold" ||
			deref(a.TreatMissingData) != "notBreaching" || !slices.Equal(a.AlarmActions, []string{topic}) {
			t.Errorf("%s: %s > %v, missing data %s, actions %v; want any count to page the AlarmTopicArn", tc.alarm, deref(a.Statistic), deref(a.Threshold), deref(a.TreatMissingData), a.AlarmActions)
		}
		src, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), tc.emits) {
			t.Errorf("%s: %s no longer has %s: the alarm watches a metric nobody writes", tc.alarm, tc.file, tc.emits)
		}
	}
}
