package receipts_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
)

const (
	snsDelivered = "0eb79b44-d9bd-5938-b0cf-c1e572815b74"
	snsBlocked   = "876543da-df63-5e08-8666-197b7352e60b"
	snsUnknown   = "11111111-2222-5333-8444-555555555555"
)

// logsEvent is a subscription delivery of fixture name (the decoded
// payload, with SNS's publish time and the log time set near now): gzip,
// then base64, as CloudWatch Logs sends it.
func logsEvent(t *testing.T, name string, published time.Time, edit func(*events.CloudwatchLogsData)) events.CloudwatchLogsEvent {
	t.Helper()
	raw := strings.ReplaceAll(string(fixture(t, name)), "PUBLISHED", published.Format("2006-01-02 15:04:05.000"))
	var data events.CloudwatchLogsData
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatal(err)
	}
	for i := range data.LogEvents {
		data.LogEvents[i].Timestamp = published.Add(5 * time.Second).UnixMilli()
	}
	if edit != nil {
		edit(&data)
	}
	return encodeLogs(t, data)
}

func encodeLogs(t *testing.T, data any) events.CloudwatchLogsEvent {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(buf.Bytes())}}
}

func TestSNSDelivered(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	published := r.clock.Now()
	r.sent("sns", snsDelivered, "US", published)
	ev := logsEvent(t, "sns-delivery-logs.json", published, nil)
	for range 2 { // a retried invocation changes nothing
		if err := r.h.HandleLogs(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	// dwellTimeMsUntilDeviceAck is the time to delivered.
	want := delivery.Tally{Sent: 1, Delivered: 1, TimeToDelivered: 2336 * time.Millisecond}
	if diff := cmp.Diff(want, r.tally("sns", "US")); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	wantMetrics := map[string]float64{
		"Delivered{Country=US,Provider=sns}":       1,
		"DeliveredShare{Country=US}":               1,
		"TimeToDelivered{Country=US,Provider=sns}": 2336,
		"ReceiptStale{Provider=sns}":               1,
	}
	if diff := cmp.Diff(wantMetrics, r.emitted()); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

func TestSNSFailureByReason(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	published := r.clock.Now()
	r.sent("sns", snsBlocked, "BR", published)
	if err := r.h.HandleLogs(context.Background(), logsEvent(t, "sns-delivery-logs-failure.json", published, nil)); err != nil {
		t.Fatal(err)
	}
	want := delivery.Tally{Sent: 1, Undelivered: 1, Codes: map[string]int64{"carrier-blocked": 1}}
	if diff := cmp.Diff(want, r.tally("sns", "BR")); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	wantMetrics := map[string]float64{
		"Undelivered{Country=BR,ErrorCode=carrier-blocked,Provider=sns}": 1,
		"DeliveredShare{Country=BR}":                                     0,
		"ReceiptUnknown{Provider=sns}":                                   1, // the second record: not ours
	}
	if diff := cmp.Diff(wantMetrics, r.emitted()); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// A failure logged before the success of another message, and a success
// arriving after a failure of the same one: the first final state stands.
func TestSNSOutOfOrder(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	published := r.clock.Now()
	r.sent("sns", snsBlocked, "BR", published)
	if err := r.h.HandleLogs(context.Background(), logsEvent(t, "sns-delivery-logs-failure.json", published, nil)); err != nil {
		t.Fatal(err)
	}
	late := logsEvent(t, "sns-delivery-logs.json", published, func(d *events.CloudwatchLogsData) {
		d.LogEvents[0].Message = strings.Replace(d.LogEvents[0].Message, snsDelivered, snsBlocked, 1)
	})
	if err := r.h.HandleLogs(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	if got := r.tally("sns", "BR"); got.Delivered != 0 || got.Undelivered != 1 {
		t.Errorf("tally %+v, want the failure to stand", got)
	}
}

// Records that can't be read are counted and skipped; the rest apply.
func TestSNSMalformedRecords(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	published := r.clock.Now()
	r.sent("sns", snsDelivered, "US", published)
	ev := logsEvent(t, "sns-delivery-logs.json", published, func(d *events.CloudwatchLogsData) {
		good := d.LogEvents[0]
		d.LogEvents = []events.CloudwatchLogsLogEvent{
			{ID: "1", Timestamp: good.Timestamp, Message: "not json"},
			{ID: "2", Timestamp: good.Timestamp, Message: `{"notification":{"messageId":"x"},"status":"PENDING"}`},
			{ID: "3", Timestamp: good.Timestamp, Message: `{"notification":{},"status":"SUCCESS"}`},
			good,
		}
	})
	if err := r.h.HandleLogs(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := r.tally("sns", "US"); got.Delivered != 1 {
		t.Errorf("tally %+v, want the good record applied", got)
	}
	if n := r.emitted()["ReceiptRejected{Reason=malformed,Source=sns}"]; n != 3 {
		t.Errorf("%v malformed records counted, want 3", n)
	}
}

func TestSNSUnreadableAndControlEvents(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	for name, ev := range map[string]events.CloudwatchLogsEvent{
		"not base64": {AWSLogs: events.CloudwatchLogsRawData{Data: "%%%"}},
		"not gzip":   {AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString([]byte("plain"))}},
		"control": encodeLogs(t, events.CloudwatchLogsData{MessageType: "CONTROL_MESSAGE", LogEvents: []events.CloudwatchLogsLogEvent{
			{ID: "0", Message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}}}),
	} {
		if err := r.h.HandleLogs(context.Background(), ev); err != nil {
			t.Errorf("%s: %v (a retry would not help)", name, err)
		}
	}
	if n := r.emitted()["ReceiptRejected{Reason=malformed,Source=logs}"]; n != 2 {
		t.Errorf("%v unreadable events counted, want 2", n)
	}
}

type failingLedger struct{}

func (failingLedger) ApplyReceipt(context.Context, delivery.Receipt) (delivery.Applied, error) {
	return delivery.Applied{}, errors.New("throttled")
}

// A store failure fails the invocation so Lambda retries it.
func TestSNSStoreFailureRetries(t *testing.T) {
	h, err := receipts.New(receipts.TwilioConfig{}, failingLedger{}, receipts.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.HandleLogs(context.Background(), logsEvent(t, "sns-delivery-logs.json", time.Now(), nil)); err == nil {
		t.Error("no error: the batch would not be retried")
	}
}

func TestInvokeLogsEvent(t *testing.T) {
	r := newRig(t, receipts.TwilioConfig{})
	published := r.clock.Now()
	r.sent("sns", snsDelivered, "US", published)
	raw, _ := json.Marshal(logsEvent(t, "sns-delivery-logs.json", published, nil))
	if _, err := r.h.Invoke(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	if got := r.tally("sns", "US"); got.Delivered != 1 {
		t.Errorf("tally %+v, want delivered", got)
	}
}
