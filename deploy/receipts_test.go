package deploy_test

import (
	"slices"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// The receipts function: a function URL Twilio can reach (its signature is
// the authentication), the same callback URL as the worker sends, and a
// subscription to both SNS delivery status log groups.
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
			groups = append(groups, f.LogGroupName)
		}
		slices.Sort(groups)
		want := []string{
			"sns/${AWS::Region}/${AWS::AccountId}/DirectPublishToPhoneNumber",
			"sns/${AWS::Region}/${AWS::AccountId}/DirectPublishToPhoneNumber/Failure",
		}
		if !slices.Equal(groups, want) {
			t.Errorf("subscriptions to %v, want %v", groups, want)
		}
		if _, ok := tmpl.Outputs["ReceiptsUrl"]; !ok {
			t.Error("no ReceiptsUrl output")
		}
	})
}
