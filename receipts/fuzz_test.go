package receipts_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
)

// recordingLedger is the in-memory ledger, keeping every receipt it is given.
type recordingLedger struct {
	*mem.Ledger
	mu   sync.Mutex
	seen []delivery.Receipt
}

func (l *recordingLedger) ApplyReceipt(ctx context.Context, r delivery.Receipt) (delivery.Applied, error) {
	l.mu.Lock()
	l.seen = append(l.seen, r)
	l.mu.Unlock()
	return l.Ledger.ApplyReceipt(ctx, r)
}

// fuzzRig is a handler over the in-memory ledger, with the fixtures' messages
// recorded as sent, so receipts for them reach the "applied" paths.
func fuzzRig(t *testing.T, now time.Time) (*receipts.Handler, *recordingLedger, *testutil.SyncBuffer) {
	t.Helper()
	ml, err := mem.NewLedger(delivery.DefaultConfig(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []delivery.Message{
		{Provider: receipts.ProviderTwilio, ID: twilioSID, ChallengeID: "ch-twilio", Country: "US", SentAt: now.Add(-time.Minute), Status: delivery.Sent},
		{Provider: receipts.ProviderSNS, ID: snsDelivered, ChallengeID: "ch-sns-1", Country: "US", SentAt: now.Add(-time.Minute), Status: delivery.Sent},
		{Provider: receipts.ProviderSNS, ID: snsBlocked, ChallengeID: "ch-sns-2", Country: "IN", SentAt: now.Add(-time.Minute), Status: delivery.Sent},
		{Provider: receipts.ProviderEUM, ID: eumDelivered, ChallengeID: "ch-eum-1", Country: "IN", SentAt: now.Add(-2 * time.Minute), Status: delivery.Sent},
		{Provider: receipts.ProviderEUM, ID: eumExpired, ChallengeID: "ch-eum-2", Country: "IN", SentAt: now.Add(-2 * time.Minute), Status: delivery.Sent},
		{Provider: receipts.ProviderEUM, ID: eumSpam, ChallengeID: "ch-eum-3", Country: "IN", SentAt: now.Add(-2 * time.Minute), Status: delivery.Sent},
	} {
		if err := ml.RecordSent(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	l := &recordingLedger{Ledger: ml}
	logs := &testutil.SyncBuffer{}
	h, err := receipts.New(twilioConfig, l, receipts.Env{
		Now: func() time.Time { return now },
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, l, logs
}

func noNumberInLogs(t *testing.T, logs string) {
	t.Helper()
	if m := fullNumber.FindString(logs); m != "" {
		t.Errorf("logs hold a full number %s:\n%s", m, logs)
	}
}

// checkReceipts: every receipt that reached the ledger is fit to record.
func checkReceipts(t *testing.T, seen []delivery.Receipt, provider string) {
	t.Helper()
	for _, r := range seen {
		if err := r.Check(); err != nil || r.Provider != provider {
			t.Errorf("receipt %+v reached the ledger (%v)", r, err)
		}
	}
}

func addFileSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
}

// FuzzTwilioCallback: an unsigned or badly signed body reaches nothing; a
// signed one reaches the ledger only as a well-formed receipt for the
// MessageSid it names.
func FuzzTwilioCallback(f *testing.F) {
	addFileSeeds(f, "twilio-delivered.form", "twilio-sent.form", "twilio-undelivered.form")
	f.Add([]byte("MessageSid="+twilioSID+"&MessageStatus=failed&ErrorCode=30003&MessageSid="+twilioSID), true)
	f.Add([]byte("MessageSid="+twilioSID+"&MessageStatus=delivered"), false)
	f.Add([]byte("%zz&To=%2B14155550123"), true)
	now := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, signIt bool) {
		h, l, logs := fuzzRig(t, now)
		sig := "bm90IGEgc2lnbmF0dXJl"
		if signIt {
			sig = sign(authToken, callbackURL, body)
		}
		resp := h.HandleTwilio(context.Background(), request(t, body, sig))
		noNumberInLogs(t, logs.String())
		if !signIt && len(l.seen) > 0 {
			t.Fatalf("an unsigned callback reached the ledger: %+v", l.seen)
		}
		if len(l.seen) > 1 {
			t.Fatalf("one callback, %d receipts", len(l.seen))
		}
		checkReceipts(t, l.seen, receipts.ProviderTwilio)
		for _, r := range l.seen {
			if !strings.Contains(string(body), r.MessageID) {
				t.Errorf("receipt for %s from a body that does not name it", r.MessageID)
			}
		}
		if resp.StatusCode >= 500 {
			t.Errorf("status %d for a callback over a working ledger", resp.StatusCode)
		}
	})
}

// logsStatuses: what a CloudWatch Logs record may become, per source. SNS
// writes a record only once a message is delivered or not; End User
// Messaging also reports a hand-over to the carrier (TEXT_SUCCESSFUL not
// final).
var logsStatuses = map[string]map[delivery.Status]bool{
	receipts.ProviderSNS: {delivery.Delivered: true, delivery.Undelivered: true},
	receipts.ProviderEUM: {delivery.Delivered: true, delivery.Handed: true, delivery.Undelivered: true},
}

// errorCodeShape: the parsers' short names (lower-case words joined by
// hyphens): nothing of the record, no digit of a number, passes through.
var errorCodeShape = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)

// checkLogsReceipts: every receipt a logs delivery put in the ledger is a
// well-formed receipt of a known source, with a status that source reports
// and, when undelivered, an error code of the parsers' shape (and none
// otherwise): codes become attribute names, metric dimensions and log
// fields.
func checkLogsReceipts(t *testing.T, seen []delivery.Receipt) {
	t.Helper()
	for _, r := range seen {
		statuses, known := logsStatuses[r.Provider]
		switch {
		case r.Check() != nil || !known:
			t.Errorf("receipt %+v reached the ledger (%v)", r, r.Check())
		case !statuses[r.Status]:
			t.Errorf("%s receipt with status %v", r.Provider, r.Status)
		case r.Status == delivery.Undelivered && !errorCodeShape.MatchString(r.ErrorCode):
			t.Errorf("%s receipt with error code %q", r.Provider, r.ErrorCode)
		case r.Status != delivery.Undelivered && r.ErrorCode != "":
			t.Errorf("%s %v receipt with error code %q", r.Provider, r.Status, r.ErrorCode)
		}
	}
}

// logsSeed is a receipts fixture as a subscription's payload: SNS's
// publish time and End User Messaging's event times (NAME_AT) set a
// minute before now, so the records reach the ledger's applied paths.
func logsSeed(f *testing.F, name string, now time.Time) []byte {
	f.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	at := now.Add(-time.Minute)
	s := strings.ReplaceAll(string(b), "PUBLISHED", at.Format("2006-01-02 15:04:05.000"))
	return []byte(eventTimes.ReplaceAllString(s, strconv.FormatInt(at.UnixMilli(), 10)))
}

// eventTimes: the quoted placeholders of the End User Messaging fixtures,
// as they stand inside the JSON-escaped log messages.
var eventTimes = regexp.MustCompile(`\\"[A-Z]+_AT\\"`)

// FuzzSNSLogs: each SNS delivery log record or End User Messaging event
// reaches the ledger only as a well-formed receipt of its source; no
// record, however odd, puts its destination number into the logs or fails
// the batch.
func FuzzSNSLogs(f *testing.F) {
	now := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	for _, n := range []string{"sns-delivery-logs.json", "sns-delivery-logs-failure.json", "eum-events.json", "eum-events-failure.json"} {
		f.Add(logsSeed(f, n, now), true)
	}
	f.Add([]byte(`{"messageType":"CONTROL_MESSAGE"}`), true)
	f.Add([]byte(`not gzip`), false)
	f.Fuzz(func(t *testing.T, payload []byte, wrap bool) {
		h, l, logs := fuzzRig(t, now)
		ev := encodeLogs(t, []byte("null"))
		if wrap {
			ev = encodeLogs(t, rawJSON(payload))
		} else {
			ev.AWSLogs.Data = string(payload)
		}
		if err := h.HandleLogs(context.Background(), ev); err != nil {
			t.Errorf("HandleLogs over a working ledger: %v", err)
		}
		noNumberInLogs(t, logs.String())
		checkLogsReceipts(t, l.seen)
	})
}

// rawJSON marshals as itself when valid JSON, else as a JSON string, so
// encodeLogs compresses exactly the fuzzer's bytes when it can.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) {
	if json.Valid(r) {
		return r, nil
	}
	return json.Marshal(string(r))
}
