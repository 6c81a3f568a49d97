package deploy_test

import (
	"slices"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
)

// The receipts function: a function URL Twilio can reach (its signature is
// the authentication), the same callback URL as the worker sends, and a
// subscription to both SNS delivery status log groups and to the End User
// Messaging events' group.
func TestDeliveryReceipts(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		r := fn(t, tmpl, "SmsReceiptsFunction")
		if r.FunctionUrlConfig == nil || r.FunctionUrlConfig.AuthType != "NONE" {
			t.Errorf("FunctionUrlConfig %+v, want AuthType NONE (Twilio cannot sign AWS requests)", r.FunctionUrlConfig)
		}
		url, _ := params["TwilioStatusCallbackUrl"].(string)
		worker := envOf(t, fn(t, tmpl, "SmsWorkerFunction"))["TWILIO_STATUS_CALLBACK"]
		receipts := envOf(t, r)["TWILIO_STATUS_CALLBACK"]
		if worker != url || receipts != url {
			t.Errorf("TWILIO_STATUS_CALLBACK worker %q, receipts %q, want both %q", worker, receipts, url)
		}
		var groups []string
		for id, f := range tmpl.GetAllLogsSubscriptionFilterResources() {
			if f.DestinationArn != "getatt:SmsReceiptsFunction.Arn" {
				t.Errorf("%s: destination %s", id, f.DestinationArn)
			}
			if id == "EumEventsSubscription" && f.AWSCloudFormationCondition != "EumReceipts" {
				t.Errorf("%s: condition %q, want EumReceipts (only with EumEventsLogGroup)", id, f.AWSCloudFormationCondition)
			}
			groups = append(groups, f.LogGroupName)
		}
		slices.Sort(groups)
		// The End User Messaging events' group is the parameter's (the
		// subscription exists only when it is set).
		eumGroup, _ := params["EumEventsLogGroup"].(string)
		want := []string{
			eumGroup,
			"sns/${AWS::Region}/${AWS::AccountId}/DirectPublishToPhoneNumber",
			"sns/${AWS::Region}/${AWS::AccountId}/DirectPublishToPhoneNumber/Failure",
		}
		slices.Sort(want)
		if !slices.Equal(groups, want) {
			t.Errorf("subscriptions to %v, want %v", groups, want)
		}
		if _, ok := tmpl.Outputs["ReceiptsUrl"]; !ok {
			t.Error("no ReceiptsUrl output")
		}
	})
}

// One alarm watches every country's delivery rate: a Metrics Insights
// query grouped by Country over the metric the receipts function writes
// per country.
func TestCountryDeliveryRateAlarm(t *testing.T) {
	tmpl := load(t, nil)
	a, err := tmpl.GetCloudWatchAlarmWithName("CountryDeliveryRateAlarm")
	if err != nil {
		t.Fatal(err)
	}
	q := alarmMetrics(a)["rate"]
	want := "SELECT AVG(" + receipts.MetricDeliveredShare + ") FROM SCHEMA(" + metrics.Namespace + ", Country) GROUP BY Country"
	if q != want {
		t.Errorf("query %q, want %q", q, want)
	}
	if len(a.Metrics) != 1 || a.Metrics[0].Period == nil || *a.Metrics[0].Period != 3600 {
		t.Errorf("metrics %+v, want the one query over hours", a.Metrics)
	}
	if a.ComparisonOperator != "LessThanThreshold" || a.Threshold == nil || a.EvaluationPeriods != 3 || a.DatapointsToAlarm == nil || *a.DatapointsToAlarm != 2 {
		t.Errorf("alarm %s threshold %v, %d periods, %v to alarm; want below a threshold in 2 of 3 hours", a.ComparisonOperator, a.Threshold, a.EvaluationPeriods, a.DatapointsToAlarm)
	}
	// Metrics Insights alarms see only the last 3 hours.
	if a.EvaluationPeriods*3600 > 3*3600 {
		t.Error("the alarm looks back further than Metrics Insights allows")
	}
}

// The worker puts its delivery checks on its own queue, and reads the
// resend bounds the template's parameters set.
func TestWorkerSchedulesDeliveryChecks(t *testing.T) {
	// Without a receipt source, resends are off: every send would look
	// undelivered.
	if got := envOf(t, fn(t, load(t, nil), "SmsWorkerFunction"))["SMS_MAX_SENDS_PER_CODE"]; got != "1" {
		t.Errorf("no receipts: SMS_MAX_SENDS_PER_CODE %q, want 1", got)
	}
	tmpl := load(t, map[string]any{"SnsDeliveryStatusLogs": "On"})
	w := fn(t, tmpl, "SmsWorkerFunction")
	env := envOf(t, w)
	if env["SMS_DELIVERY_TIMEOUT"] != "20s" || env["SMS_MAX_SENDS_PER_CODE"] != "2" {
		t.Errorf("SMS_DELIVERY_TIMEOUT %q, SMS_MAX_SENDS_PER_CODE %q, want 20s and 2", env["SMS_DELIVERY_TIMEOUT"], env["SMS_MAX_SENDS_PER_CODE"])
	}
	if !slices.Contains(permissionsOf(t, w), permission{"sqs:SendMessage", "getatt:SmsQueue.Arn"}) {
		t.Error("the worker may not send to SmsQueue (its delivery checks)")
	}
}

func TestDeliveryRateAlarm(t *testing.T) {
	tmpl := load(t, nil)
	a, err := tmpl.GetCloudWatchAlarmWithName("DeliveryRateAlarm")
	if err != nil {
		t.Fatal(err)
	}
	got := alarmMetrics(a)
	// The metrics the receipts function writes, by their totals.
	want := map[string]string{"delivered": metrics.Namespace + "/Delivered", "undelivered": metrics.Namespace + "/Undelivered"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("metric %s = %q, want %q", id, got[id], w)
		}
	}
	if a.ComparisonOperator != "LessThanThreshold" || a.Threshold == nil {
		t.Errorf("comparison %s, want LessThanThreshold with a threshold", a.ComparisonOperator)
	}
}
