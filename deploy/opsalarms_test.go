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
		{"SentLogFailedAlarm", "SentLogFailed", "", "../worker/sentlog.go", `Count("SentLogFailed")`},
		{"CheckScheduleFailedAlarm", "CheckScheduleFailed", "", "../worker/driver.go", `Count("CheckScheduleFailed")`},
		// Counted by Provider; the alarm watches the dimension-free total.
		{"ReceiptFailedAlarm", "ReceiptFailed", "", "../receipts/handler.go", `Count("ReceiptFailed", metrics.Dim{Name: "Provider"`},
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

// A batch of delivery log records the receipts function could not apply
// (after Lambda's retries of the asynchronous invocation) goes to its own
// dead-letter queue, not away; that queue has an alarm like the SMS one.
func TestReceiptsOnFailureDestination(t *testing.T) {
	tmpl := load(t, nil)
	c, err := tmpl.GetLambdaEventInvokeConfigWithName("SmsReceiptsEventInvokeConfig")
	if err != nil {
		t.Fatal(err)
	}
	if c.FunctionName != "ref:SmsReceiptsFunction" || c.Qualifier != "$LATEST" {
		t.Errorf("event invoke config of %s:%s, want the receipts function's $LATEST", c.FunctionName, c.Qualifier)
	}
	if c.DestinationConfig == nil || c.DestinationConfig.OnFailure == nil || c.DestinationConfig.OnFailure.Destination != "getatt:SmsReceiptsDeadLetterQueue.Arn" {
		t.Errorf("on-failure destination %+v, want the receipts dead-letter queue", c.DestinationConfig)
	}
	if r := deref(c.MaximumRetryAttempts); r < 1 || r > 2 {
		t.Errorf("MaximumRetryAttempts %d, want 1 or 2", r)
	}
	q, err := tmpl.GetSQSQueueWithName("SmsReceiptsDeadLetterQueue")
	if err != nil {
		t.Fatal(err)
	}
	if !deref(q.SqsManagedSseEnabled) || deref(q.MessageRetentionPeriod) != 1209600 {
		t.Errorf("queue: SSE %v, retention %d; want SSE and 14 days", deref(q.SqsManagedSseEnabled), deref(q.MessageRetentionPeriod))
	}
	a, err := tmpl.GetCloudWatchAlarmWithName("ReceiptsDeadLetterQueueNotEmptyAlarm")
	if err != nil {
		t.Fatal(err)
	}
	if deref(a.Namespace) != "AWS/SQS" || deref(a.MetricName) != "ApproximateNumberOfMessagesVisible" || len(a.Dimensions) != 1 ||
		a.Dimensions[0].Value != "getatt:SmsReceiptsDeadLetterQueue.QueueName" || deref(a.Threshold) != 0 || a.ComparisonOperator != "GreaterThanThreshold" {
		t.Errorf("ReceiptsDeadLetterQueueNotEmptyAlarm watches %s/%s %+v", deref(a.Namespace), deref(a.MetricName), a.Dimensions)
	}
}
