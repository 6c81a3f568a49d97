package receipts_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	callbackURL = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/"
	authToken   = "0123456789abcdef0123456789abcdef"
	twilioSID   = "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

// rig is a handler over a DynamoDB Local ledger, with its logs and EMF
// metrics captured.
type rig struct {
	t       *testing.T
	h       *receipts.Handler
	ledger  *dynamo.Ledger
	clock   *testutil.Clock
	logs    *testutil.SyncBuffer
	metrics *testutil.SyncBuffer
}

func newRig(t *testing.T, tw receipts.TwilioConfig) *rig {
	t.Helper()
	db := testenv.DynamoDB(t)
	ledger, err := dynamo.NewLedger(db, dynamotest.NewTable(t, db), delivery.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Near real time: DynamoDB Local enforces TTL within seconds.
	r := &rig{t: t, ledger: ledger, clock: testutil.NewClock(time.Now().UTC().Truncate(time.Millisecond)),
		logs: &testutil.SyncBuffer{}, metrics: &testutil.SyncBuffer{}}
	r.h, err = receipts.New(tw, ledger, receipts.Env{
		Now:     r.clock.Now,
		Log:     slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: metrics.NewEMF(r.metrics, r.clock.Now),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.checkLogs)
	return r
}

var fullNumber = testutil.FullNumber

func (r *rig) checkLogs() {
	if m := fullNumber.FindString(r.logs.String()); m != "" {
		r.t.Errorf("logs hold a full number %s", m)
	}
}

// sent records a message as the worker does at send.
func (r *rig) sent(provider, id, country string, at time.Time) delivery.Message {
	r.t.Helper()
	m := delivery.Message{Provider: provider, ID: id, ChallengeID: "ch-" + id[:8], Country: country, SentAt: at, Status: delivery.Sent}
	if err := r.ledger.RecordSent(context.Background(), m); err != nil {
		r.t.Fatal(err)
	}
	return m
}

// tally is provider x country over the hour around now.
func (r *rig) tally(provider, country string) delivery.Tally {
	r.t.Helper()
	now := r.clock.Now()
	got, err := r.ledger.Tally(context.Background(), provider, country, now.Add(-30*time.Minute), now.Add(30*time.Minute))
	if err != nil {
		r.t.Fatal(err)
	}
	return got
}

// emitted sums the EMF values written per "Name{dim=value,...}".
func (r *rig) emitted() map[string]float64 {
	r.t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(r.metrics.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			r.t.Fatalf("EMF line %q: %v", sc.Text(), err)
		}
		aws := line["_aws"].(map[string]any)
		def := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
		name := def["Metrics"].([]any)[0].(map[string]any)["Name"].(string)
		var dims []string
		for _, d := range def["Dimensions"].([]any)[0].([]any) {
			dims = append(dims, fmt.Sprintf("%s=%v", d, line[d.(string)]))
		}
		sort.Strings(dims)
		out[name+"{"+strings.Join(dims, ",")+"}"] += line[name].(float64)
	}
	return out
}
