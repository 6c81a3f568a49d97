package deploy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
)

// The custom sender's refusals that only a broken deployment or an outage
// causes page the operator at once; those of the user (their number,
// their own send cap) do not; a country or global cap has its own alarm.
func TestCustomSmsSenderAlarms(t *testing.T) {
	failing := []string{customsms.ReasonUnavailable, customsms.ReasonEarlierFailed, customsms.ReasonUndecryptable,
		customsms.ReasonBadRequest, customsms.ReasonNotBase64, customsms.ReasonBadCode}
	users := []string{customsms.ReasonNoPhone, customsms.ReasonNumberRefused, customsms.ReasonRateLimited,
		customsms.ReasonUnknownSource, customsms.ReasonCapReached}
	tmpl := load(t, map[string]any{"CustomSmsSender": "On", "AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:ops"})

	a, err := tmpl.GetCloudWatchAlarmWithName("CustomSmsSenderFailingAlarm")
	if err != nil {
		t.Fatal(err)
	}
	if a.AWSCloudFormationCondition != customSmsCondition {
		t.Errorf("CustomSmsSenderFailingAlarm: condition %q, want %s", a.AWSCloudFormationCondition, customSmsCondition)
	}
	got := alarmMetrics(a)
	if got["errors"] != "AWS/Lambda/Errors" || got["refused"] != metrics.Namespace+"/CustomSMSRefused" {
		t.Errorf("errors %q, refused %q: want the function's Lambda errors and every refusal", got["errors"], got["refused"])
	}
	var reasons []string
	for _, m := range a.Metrics {
		if m.MetricStat == nil || deref(m.MetricStat.Metric.MetricName) != "CustomSMSRefused" {
			continue
		}
		for _, d := range m.MetricStat.Metric.Dimensions {
			if d.Name == "Reason" {
				reasons = append(reasons, d.Value)
				if !strings.Contains(got["failing"], "FILL("+m.Id+", 0)") {
					t.Errorf("reason %s (%s) is not in the expression %q", d.Value, m.Id, got["failing"])
				}
			}
		}
		if deref(m.MetricStat.Metric.Namespace) != metrics.Namespace {
			t.Errorf("%s: namespace %s", m.Id, deref(m.MetricStat.Metric.Namespace))
		}
	}
	slices.Sort(reasons)
	slices.Sort(failing)
	if !slices.Equal(reasons, failing) {
		t.Errorf("alarm counts reasons %v, want %v", reasons, failing)
	}
	for _, r := range users {
		if slices.Contains(reasons, r) {
			t.Errorf("a refusal of the user (%s) pages the operator", r)
		}
	}
	if !strings.HasPrefix(got["failing"], "FILL(errors, 0) - FILL(refused, 0) + ") {
		t.Errorf("expression %q: want errors not explained by refusals, plus the failing reasons", got["failing"])
	}
	fn := a.Metrics[0].MetricStat.Metric.Dimensions[0].Value
	if fn != "ref:CustomSmsSenderFunction" {
		t.Errorf("errors of %q, want ref:CustomSmsSenderFunction", fn)
	}

	c, err := tmpl.GetCloudWatchAlarmWithName("CustomSmsCapReachedAlarm")
	if err != nil {
		t.Fatal(err)
	}
	if c.AWSCloudFormationCondition != customSmsCondition || deref(c.Namespace) != metrics.Namespace ||
		deref(c.MetricName) != "CustomSMSRefused" || len(c.Dimensions) != 1 ||
		c.Dimensions[0].Name != "Reason" || c.Dimensions[0].Value != customsms.ReasonCapReached {
		t.Errorf("CustomSmsCapReachedAlarm: %s %s/%s %+v", c.AWSCloudFormationCondition, deref(c.Namespace), deref(c.MetricName), c.Dimensions)
	}
	for id, al := range map[string][]string{"CustomSmsSenderFailingAlarm": a.AlarmActions, "CustomSmsCapReachedAlarm": c.AlarmActions} {
		if !slices.Equal(al, []string{"arn:aws:sns:us-east-1:123456789012:ops"}) {
			t.Errorf("%s: actions %v, want the AlarmTopicArn", id, al)
		}
	}
}
