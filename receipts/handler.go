package receipts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/twilio/twilio-go/client"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
)

// Provider names, as the worker records them (providers/twilio.Name and
// WhatsAppName, providers/sns.Name, providers/eum.Name; the provider
// packages are not linked here).
const (
	ProviderTwilio   = "twilio"
	ProviderSNS      = "sns"
	ProviderWhatsApp = "whatsapp"
	ProviderEUM      = "eum"
)

// Ledger applies a receipt to the sent message it names (store/dynamo.Ledger).
type Ledger interface {
	ApplyReceipt(ctx context.Context, r delivery.Receipt) (delivery.Applied, error)
}

// Env is what the handler takes from the outside world; tests replace it.
type Env struct {
	Now     func() time.Time
	Log     *slog.Logger
	Metrics metrics.Recorder
}

// Handler takes both kinds of receipt.
type Handler struct {
	twilio      *client.RequestValidator // nil: Twilio callbacks are not configured
	callbackURL string
	ledger      Ledger
	env         Env
}

// New returns a handler. twilio is the Twilio side (zero: callbacks are
// refused with 404; SNS logs are always taken).
func New(twilio TwilioConfig, ledger Ledger, env Env) (*Handler, error) {
	if ledger == nil {
		return nil, errors.New("receipts: ledger required")
	}
	if err := twilio.Validate(); err != nil {
		return nil, fmt.Errorf("receipts: %w", err)
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Log == nil {
		env.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if env.Metrics == nil {
		env.Metrics = metrics.Discard{}
	}
	h := &Handler{ledger: ledger, env: env, callbackURL: twilio.CallbackURL}
	if twilio.CallbackURL != "" {
		v := client.NewRequestValidator(twilio.AuthToken)
		h.twilio = &v
	}
	return h, nil
}

// ErrUnknownEvent: an invocation that is neither a function URL request nor
// a CloudWatch Logs subscription delivery.
var ErrUnknownEvent = errors.New("neither a function URL request nor a CloudWatch Logs event")

// Invoke is the Lambda handler: the function URL and the log subscription
// invoke the same function, told apart by the event's shape.
func (h *Handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		AWSLogs        *json.RawMessage `json:"awslogs"`
		RequestContext *json.RawMessage `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnknownEvent, err)
	}
	switch {
	case probe.AWSLogs != nil:
		var ev events.CloudwatchLogsEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("cloudwatch logs event: %w", err)
		}
		return nil, h.HandleLogs(ctx, ev)
	case probe.RequestContext != nil:
		var req events.LambdaFunctionURLRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, fmt.Errorf("function URL request: %w", err)
		}
		return h.HandleTwilio(ctx, req), nil
	}
	return nil, ErrUnknownEvent
}

// outcome is what applying one receipt came to, for metrics and replies.
type outcome int

const (
	applied outcome = iota + 1
	stale           // late, duplicate or out of order: nothing changed
	unknown         // no message recorded under that id
	failed          // the store failed; the receipt may be retried
)

// apply applies r and records its metrics and log line. The log names the
// message and its challenge, never the number a receipt quotes: the
// challenge leads to it for whoever may see it.
func (h *Handler) apply(ctx context.Context, r delivery.Receipt) outcome {
	log := h.env.Log.With("provider", r.Provider, "messageId", r.MessageID, "status", r.Status.String())
	a, err := h.ledger.ApplyReceipt(ctx, r)
	switch {
	case errors.Is(err, delivery.ErrUnknownMessage):
		log.Info("receipt for an unknown message ignored")
		h.env.Metrics.Count("ReceiptUnknown", metrics.Dim{Name: "Provider", Value: r.Provider})
		return unknown
	case err != nil:
		log.Error("receipt not applied", "err", err)
		h.env.Metrics.Count("ReceiptFailed", metrics.Dim{Name: "Provider", Value: r.Provider})
		return failed
	case !a.Changed:
		log.Debug("receipt changes nothing", "current", a.After.Status.String())
		h.env.Metrics.Count("ReceiptStale", metrics.Dim{Name: "Provider", Value: r.Provider})
		return stale
	}
	log.Info("receipt applied", "challenge", a.After.ChallengeID, "country", a.After.Country, "from", a.Before.Status.String(), "errorCode", a.After.ErrorCode)
	h.measure(a)
	return applied
}

// measure emits the delivery metrics of a message's move to a final status.
// HandleReceipt applies a receipt from a source the caller vouches for:
// the local stack's simulated carriers. It goes through the same rules,
// tallies and metrics as a signed callback or a delivery log; the error is
// non-nil when the receipt is unfit or the store failed.
func (h *Handler) HandleReceipt(ctx context.Context, r delivery.Receipt) error {
	if err := r.Check(); err != nil {
		return err
	}
	if h.apply(ctx, r) == failed {
		return errStore
	}
	return nil
}

// MetricDeliveredShare is 1 for each delivered SMS and 0 for each
// undelivered or failed one, by Country alone: its average per country is
// the delivery rate one Metrics Insights alarm watches for every country
// at once (CountryDeliveryRateAlarm in template.yaml).
const MetricDeliveredShare = "DeliveredShare"

func (h *Handler) measure(a delivery.Applied) {
	m := a.After
	p, c := metrics.Dim{Name: "Provider", Value: m.Provider}, metrics.Dim{Name: "Country", Value: m.Country}
	switch m.Status {
	case delivery.Delivered:
		h.env.Metrics.Value(MetricDeliveredShare, 1, metrics.None, c)
		h.env.Metrics.Count("Delivered", p, c)
		h.env.Metrics.Value("TimeToDelivered", float64(m.TimeToDelivered().Milliseconds()), metrics.Milliseconds, p, c)
	case delivery.Undelivered, delivery.Failed:
		h.env.Metrics.Value(MetricDeliveredShare, 0, metrics.None, c)
		h.env.Metrics.Count("Undelivered", p, c, metrics.Dim{Name: "ErrorCode", Value: m.ErrorCode})
	}
}

// reject counts a receipt refused before it reached the ledger.
func (h *Handler) reject(source, reason string) {
	h.env.Metrics.Count("ReceiptRejected", metrics.Dim{Name: "Source", Value: source}, metrics.Dim{Name: "Reason", Value: reason})
}
