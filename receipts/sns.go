package receipts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
)

// snsLog is one Amazon SNS SMS delivery status log record, as SNS writes it
// to sns/<region>/<account>/DirectPublishToPhoneNumber (and /Failure).
type snsLog struct {
	Notification struct {
		MessageID string `json:"messageId"`
		Timestamp string `json:"timestamp"` // "2006-01-02 15:04:05.000", UTC: the publish
	} `json:"notification"`
	Delivery struct {
		Destination      string `json:"destination"` // read, never logged
		ProviderResponse string `json:"providerResponse"`
		// From the publish to the handset's acknowledgement.
		DwellTimeMsUntilDeviceAck int64 `json:"dwellTimeMsUntilDeviceAck"`
	} `json:"delivery"`
	Status string `json:"status"` // SUCCESS or FAILURE
}

const snsTimeLayout = "2006-01-02 15:04:05.000"

// snsReasons maps SNS's failure reasons (delivery.providerResponse) to
// short codes for the tallies and the Undelivered metric's ErrorCode.
// Matched by prefix, case-insensitively; anything else is "other".
var snsReasons = []struct{ prefix, code string }{
	{"blocked as spam by phone carrier", "spam"},
	{"destination is on a blocked list", "blocked-list"},
	{"invalid phone number", "invalid-number"},
	{"message body is invalid", "invalid-body"},
	{"phone carrier has blocked this message", "carrier-blocked"},
	{"phone carrier is currently unreachable/unavailable", "carrier-unreachable"},
	{"phone has blocked sms", "phone-blocked"},
	{"phone is on a blocked list", "blocked-list"},
	{"phone is currently unreachable/unavailable", "unreachable"},
	{"phone number is opted out", "opted-out"},
	{"this delivery would exceed max price", "max-price"},
	{"unknown error attempting to reach phone", "unknown-error"},
}

func snsReason(resp string) string {
	resp = strings.ToLower(strings.TrimSpace(resp))
	for _, r := range snsReasons {
		if strings.HasPrefix(resp, r.prefix) {
			return r.code
		}
	}
	return delivery.OtherCode
}

// errStore: some receipt of a batch could not be applied because the store
// failed; the batch is returned as an error so Lambda invokes it again
// (receipts already applied change nothing the second time).
var errStore = errors.New("receipts not applied; the batch will be retried")

// HandleLogs takes one CloudWatch Logs subscription delivery of SNS SMS
// delivery status logs or of End User Messaging SMS events (a configuration
// set's CloudWatch Logs event destination), told apart record by record. A
// record it can't read is counted and skipped (a retry would not read it
// either); a store failure fails the invocation so Lambda retries it.
func (h *Handler) HandleLogs(ctx context.Context, ev events.CloudwatchLogsEvent) error {
	data, err := ev.AWSLogs.Parse()
	if err != nil {
		h.reject("logs", "malformed")
		h.env.Log.Warn("unreadable CloudWatch Logs event", "err", err)
		return nil
	}
	if data.MessageType == "CONTROL_MESSAGE" {
		return nil // CloudWatch Logs checking that the destination is reachable
	}
	var storeFailed bool
	for _, le := range data.LogEvents {
		source, parse := "sns", parseSNS
		if isEUM(le.Message) {
			source, parse = "eum", parseEUM
		}
		r, err := parse(le)
		switch {
		case errors.Is(err, errIgnored):
			h.env.Metrics.Count("ReceiptIgnored", metrics.Dim{Name: "Source", Value: source})
			continue
		case err != nil:
			h.reject(source, "malformed")
			h.env.Log.Warn("unreadable delivery log record", "source", source, "logEvent", logEventID(le.ID), "err", err)
			continue
		}
		if h.apply(ctx, r) == failed {
			storeFailed = true
		}
	}
	if storeFailed {
		return errStore
	}
	return nil
}

// A record's id and status are logged only in the shapes AWS writes them
// (decimal digits; upper-case words): the record is input from outside,
// and anything else in them, a phone number say, must not reach the logs.
// Found by FuzzSNSLogs.
func logEventID(id string) string {
	if len(id) > 0 && len(id) <= 64 && strings.Trim(id, "0123456789") == "" {
		return id
	}
	return "(not a log event id)"
}

func statusWord(status string) string {
	if len(status) <= 20 && strings.Trim(status, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == "" {
		return strconv.Quote(status)
	}
	return "(not a status word)"
}

// parseSNS reads one log record into a receipt. Its time is when the
// handset acknowledged (publish + dwellTimeMsUntilDeviceAck) when the
// record says so, else when the record was logged.
func parseSNS(le events.CloudwatchLogsLogEvent) (r delivery.Receipt, err error) {
	var l snsLog
	if err := json.Unmarshal([]byte(le.Message), &l); err != nil {
		return r, fmt.Errorf("not JSON: %w", err)
	}
	r = delivery.Receipt{Provider: ProviderSNS, MessageID: l.Notification.MessageID, At: time.UnixMilli(le.Timestamp).UTC()}
	switch l.Status {
	case "SUCCESS":
		r.Status = delivery.Delivered
	case "FAILURE":
		r.Status, r.ErrorCode = delivery.Undelivered, snsReason(l.Delivery.ProviderResponse)
	default:
		return r, fmt.Errorf("status %s is neither SUCCESS nor FAILURE", statusWord(l.Status))
	}
	if published, err := time.Parse(snsTimeLayout, l.Notification.Timestamp); err == nil && l.Delivery.DwellTimeMsUntilDeviceAck > 0 {
		r.At = published.Add(time.Duration(l.Delivery.DwellTimeMsUntilDeviceAck) * time.Millisecond)
	}
	if err := r.Check(); err != nil {
		return r, err
	}
	return r, nil
}
