package receipts

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

// eumEvent is one AWS End User Messaging SMS event, as a configuration
// set's event destination writes it (to CloudWatch Logs, one event per
// log record; the same JSON goes to Firehose and SNS destinations).
// Source: the End User Messaging SMS User Guide, "Example SMS event data"
// and "Event types for SMS, MMS, and voice".
type eumEvent struct {
	EventType      string `json:"eventType"`
	EventTimestamp int64  `json:"eventTimestamp"` // Unix ms, when the event was reported
	IsFinal        bool   `json:"isFinal"`
	MessageID      string `json:"messageId"`
	// destinationPhoneNumber is in the record too: not read, never logged.
}

// eumFailures are the SMS event types that end a message undelivered, with
// the short code the tallies and the Undelivered metric use.
var eumFailures = map[string]string{
	"TEXT_BLOCKED":             "blocked",
	"TEXT_TTL_EXPIRED":         "ttl-expired",
	"TEXT_CARRIER_UNREACHABLE": "carrier-unreachable",
	"TEXT_INVALID":             "invalid-number",
	"TEXT_INVALID_MESSAGE":     "invalid-body",
	"TEXT_CARRIER_BLOCKED":     "carrier-blocked",
	"TEXT_UNREACHABLE":         "unreachable",
	"TEXT_SPAM":                "spam",
	"TEXT_UNKNOWN":             "unknown-error",
	"TEXT_PROTECT_BLOCKED":     "protect-blocked",
}

// errIgnored: an event that says nothing the ledger keeps (queued,
// pending, voice or media events).
var errIgnored = fmt.Errorf("event type not tracked")

// isEUM tells an End User Messaging event from an SNS delivery log record,
// which both come through a CloudWatch Logs subscription.
func isEUM(message string) bool {
	var probe struct {
		EventType *string `json:"eventType"`
	}
	return json.Unmarshal([]byte(message), &probe) == nil && probe.EventType != nil
}

// parseEUM reads one event into a receipt at its eventTimestamp.
// TEXT_SUCCESSFUL means the carrier took the message; where it is the
// final event (some countries send no TEXT_DELIVERED) it counts as
// delivered, otherwise as handed to the carrier.
func parseEUM(le events.CloudwatchLogsLogEvent) (r delivery.Receipt, err error) {
	var ev eumEvent
	if err := json.Unmarshal([]byte(le.Message), &ev); err != nil {
		return r, fmt.Errorf("not JSON: %w", err)
	}
	r = delivery.Receipt{Provider: ProviderEUM, MessageID: ev.MessageID, At: time.UnixMilli(ev.EventTimestamp).UTC()}
	if ev.EventTimestamp <= 0 {
		r.At = time.UnixMilli(le.Timestamp).UTC()
	}
	switch code, failed := eumFailures[ev.EventType]; {
	case failed:
		r.Status, r.ErrorCode = delivery.Undelivered, code
	case ev.EventType == "TEXT_DELIVERED", ev.EventType == "TEXT_SUCCESSFUL" && ev.IsFinal:
		r.Status = delivery.Delivered
	case ev.EventType == "TEXT_SUCCESSFUL":
		r.Status = delivery.Handed
	default:
		return r, errIgnored
	}
	if err := r.Check(); err != nil {
		return r, err
	}
	return r, nil
}
