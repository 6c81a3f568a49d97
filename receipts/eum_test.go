package receipts_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
)

const (
	eumDelivered = "862a8790-60c0-4430-9b2b-658bdexample"
	eumExpired   = "7d1f0c3e-5a2b-4c9d-8e7f-6a5b4c3d2e1f"
	eumSpam      = "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"
)

// eumLogs is a subscription delivery of an End User Messaging event
// fixture, its placeholders (NAME_AT) set to times after sent.
func eumLogs(t *testing.T, name string, at map[string]time.Time) events.CloudwatchLogsEvent {
	t.Helper()
	return logsEvent(t, name, time.Time{}, func(d *events.CloudwatchLogsData) {
		for i := range d.LogEvents {
			for k, v := range at {
				d.LogEvents[i].Message = strings.ReplaceAll(d.LogEvents[i].Message, `"`+k+`"`, strconv.FormatInt(v.UnixMilli(), 10))
			}
		}
	})
}

func TestEUMDelivered(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	sent := r.clock.Now()
	r.sent("eum", eumDelivered, "IN", sent)
	ev := eumLogs(t, "eum-events.json", map[string]time.Time{
		"SUCCESSFUL_AT": sent.Add(time.Second), "DELIVERED_AT": sent.Add(4 * time.Second),
	})
	for range 2 { // a retried invocation changes nothing
		if err := r.h.HandleLogs(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	want := delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: 4 * time.Second}
	if diff := cmp.Diff(want, r.tally("eum", "IN")); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	if em := r.emitted(); em["Delivered{Country=IN,Provider=eum}"] != 1 || em["TimeToDelivered{Country=IN,Provider=eum}"] != 4000 {
		t.Errorf("metrics %v", em)
	}
}

func TestEUMFailures(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	sent := r.clock.Now()
	r.sent("eum", eumExpired, "IN", sent)
	r.sent("eum", eumSpam, "IN", sent)
	ev := eumLogs(t, "eum-events-failure.json", map[string]time.Time{"FAILED_AT": sent.Add(time.Minute)})
	if err := r.h.HandleLogs(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	want := delivery.Tally{Sent: 2, Undelivered: 2, Codes: map[string]int64{"ttl-expired": 1, "spam": 1}}
	if diff := cmp.Diff(want, r.tally("eum", "IN")); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	wantMetrics := map[string]float64{
		"Undelivered{Country=IN,ErrorCode=ttl-expired,Provider=eum}": 1,
		"Undelivered{Country=IN,ErrorCode=spam,Provider=eum}":        1,
		"ReceiptIgnored{Source=eum}":                                 1, // TEXT_QUEUED
		"DeliveredShare{Country=IN}":                                 0, // two undelivered: 0 + 0
	}
	if diff := cmp.Diff(wantMetrics, r.emitted()); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// An SNS delivery log and an End User Messaging event in one delivery (one
// subscription on two log groups' destination) each reach their provider.
func TestLogsMixSNSAndEUM(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	sent := r.clock.Now()
	r.sent("sns", snsDelivered, "US", sent)
	r.sent("eum", eumDelivered, "IN", sent)
	eum := eumLogs(t, "eum-events.json", map[string]time.Time{"SUCCESSFUL_AT": sent, "DELIVERED_AT": sent.Add(time.Second)})
	ev := logsEvent(t, "sns-delivery-logs.json", sent, func(d *events.CloudwatchLogsData) {
		data, err := eum.AWSLogs.Parse()
		if err != nil {
			t.Fatal(err)
		}
		d.LogEvents = append(d.LogEvents, data.LogEvents[1])
	})
	if err := r.h.HandleLogs(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if r.tally("sns", "US").Delivered != 1 || r.tally("eum", "IN").Delivered != 1 {
		t.Errorf("sns %+v, eum %+v", r.tally("sns", "US"), r.tally("eum", "IN"))
	}
}

// WhatsApp messages report through the same Twilio status callback; their
// whatsapp: addresses put the receipt under the whatsapp provider.
func TestTwilioWhatsAppCallbacks(t *testing.T) {
	for _, tt := range []struct {
		form string
		want delivery.Tally
	}{
		{"twilio-whatsapp-read.form", delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: 2 * time.Second}},
		{"twilio-whatsapp-failed.form", delivery.Tally{Sent: 1, Failed: 1, Codes: map[string]int64{"63024": 1}}},
	} {
		t.Run(tt.form, func(t *testing.T) {
			r := newRig(t, twilioConfig)
			r.sent("whatsapp", twilioSID, "US", r.clock.Now())
			r.clock.Advance(2 * time.Second)
			if got := r.h.HandleTwilio(context.Background(), signed(t, fixture(t, tt.form))); got.StatusCode != 204 {
				t.Fatalf("status %d", got.StatusCode)
			}
			if diff := cmp.Diff(tt.want, r.tally("whatsapp", "US")); diff != "" {
				t.Errorf("tally (-want +got):\n%s", diff)
			}
			if got := r.tally("twilio", "US"); !got.Empty() {
				t.Errorf("twilio tally %+v, want none", got)
			}
		})
	}
}
