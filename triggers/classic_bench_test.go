package triggers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
)

// providerLatencies are the SMS provider answer times compared.
var providerLatencies = []time.Duration{0, 200 * time.Millisecond, time.Second, 3 * time.Second}

// createClients is how many sign-ins run at once in the comparison.
const createClients = 5

// BenchmarkCreateProviderLatency is the design's worth in one figure:
// Create's p50 and p99 (ms) on DynamoDB Local + fauxqs with the SMS put on
// the queue (ours: queue/<latency>) against the classic recipe that sends
// the SMS inside the trigger (classic/<latency>), through a Twilio API fake
// that answers after 0, 200, 1000 and 3000 ms. b.N Creates for the classic
// recipe and queueSamples times as many for ours (a p99 of 60 is the
// slowest one, noise on a shared machine; the classic recipe's at 3 s
// would take minutes), createClients at a time, after a warm-up (DynamoDB
// Local's JVM is slow when cold); run with -benchtime 60x. No worker runs:
// on this machine it would take the cores Create needs, which in AWS it
// does not share.
func BenchmarkCreateProviderLatency(b *testing.B) {
	// DynamoDB Local's JVM speeds up for a while after start: warm it first,
	// and measure the two designs in turns, so drift and the machine's
	// other load fall on both alike.
	if _, err := runCreates(newAWSHarness(b, roomyCaps), createEventFixture(b, "first-round.json"), 1000); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	for _, lat := range providerLatencies {
		for _, design := range []string{"queue", "classic"} {
			b.Run(fmt.Sprintf("%s/%dms", design, lat.Milliseconds()), func(b *testing.B) {
				if design == "classic" {
					benchmarkCreateLatency(b, newClassicHarness(b, lat), b.N)
					return
				}
				benchmarkCreateLatency(b, newAWSHarness(b, roomyCaps), queueSamples*b.N)
			})
		}
	}
}

var latencyPhones atomic.Int64

// queueSamples is how many times b.N Creates our design runs.
const queueSamples = 10

func benchmarkCreateLatency(b *testing.B, h *harness, n int) {
	ev := createEventFixture(b, "first-round.json")
	if _, err := runCreates(h, ev, 2*createClients); err != nil {
		b.Fatalf("warm-up: %v; logs: %s", err, tail(h.logs.String()))
	}
	b.ResetTimer()
	took, err := runCreates(h, ev, n)
	b.StopTimer()
	if err != nil {
		b.Fatalf("%v; logs: %s", err, tail(h.logs.String()))
	}
	b.ReportMetric(percentile(took, 50), "p50-ms")
	b.ReportMetric(percentile(took, 99), "p99-ms")
	b.ReportMetric(float64(len(took)), "creates")
}

// runCreates runs n Creates for fresh numbers, createClients at a time,
// and returns how long each took.
func runCreates(h *harness, ev events.CognitoEventUserPoolsCreateAuthChallenge, n int) ([]time.Duration, error) {
	var (
		mu    sync.Mutex
		took  []time.Duration
		next  atomic.Int64
		wg    sync.WaitGroup
		fails atomic.Int64
	)
	for range createClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				e := ev
				e.Request.UserAttributes = map[string]string{"phone_number": phoneFor(7000000 + int(latencyPhones.Add(1)))}
				start := time.Now()
				_, err := h.create.Handle(context.Background(), e)
				d := time.Since(start)
				if err != nil {
					fails.Add(1)
					continue
				}
				mu.Lock()
				took = append(took, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if f := fails.Load(); f > 0 {
		return nil, fmt.Errorf("%d of %d Creates failed", f, n)
	}
	return took, nil
}

// percentile is the nearest-rank percentile in milliseconds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return float64(s[max(0, i)]) / float64(time.Millisecond)
}

// newClassicHarness is Create as the classic recipe builds it: the same
// store on DynamoDB Local, but the "queue" sends the SMS there and then,
// inside the trigger, through Twilio.
func newClassicHarness(b *testing.B, latency time.Duration) *harness {
	b.Helper()
	table := dynamotest.NewTable(b, testenv.DynamoDB(b))
	st, err := dynamo.New(testenv.DynamoDB(b), table)
	if err != nil {
		b.Fatal(err)
	}
	send := &sendNow{keys: otp.NewKeySource(otp.StaticSecret(testSecret)), twilio: twilioFake(b, latency)}
	if send.text, err = smstext.New(nil, "example.com", ""); err != nil {
		b.Fatal(err)
	}
	// Real time: the Twilio provider checks the code's expiry on its own clock.
	clk := testutil.NewClock(time.Now().UTC())
	return newHarnessWith(b, clk, st, send, func() []schema.Message { return nil }, testSecret, roomyCaps)
}

// sendNow is a triggers.Queue that delivers instead of queueing: the
// classic recipe's Create.
type sendNow struct {
	keys   *otp.KeySource
	text   *smstext.Renderer
	twilio providers.Provider
}

func (s *sendNow) Enqueue(ctx context.Context, m schema.Message) error {
	kr, err := s.keys.Keyring(ctx)
	if err != nil {
		return err
	}
	code, err := m.OpenCode(kr)
	if err != nil {
		return err
	}
	body, err := s.text.Render(m.Locale, smstext.Data{Code: code, Minutes: int(math.Ceil(m.ExpiresAt.Sub(m.CreatedAt).Minutes()))})
	if err != nil {
		return err
	}
	_, err = s.twilio.Send(ctx, providers.Message{ID: m.MessageID, To: m.To, Country: "US", Body: body, ExpiresAt: m.ExpiresAt})
	return err
}

// twilioFake serves Twilio's Messages API (POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json, form To/From/Body, 201
// with the Message resource) after latency, and returns the real Twilio
// provider pointed at it.
func twilioFake(b *testing.B, latency time.Duration) providers.Provider {
	const sid = "AC0123456789abcdef0123456789abcdef"
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+sid+"/Messages.json" {
			http.NotFound(w, r)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("To") == "" || r.PostForm.Get("Body") == "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":21604,"message":"A 'To' phone number is required.","status":400}`)
			return
		}
		time.Sleep(latency)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{
			"sid": fmt.Sprintf("SM%032x", n.Add(1)), "account_sid": sid, "status": "queued",
			"to": r.PostForm.Get("To"), "from": r.PostForm.Get("From"), "body": r.PostForm.Get("Body"),
			"num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
			"date_created": time.Now().UTC().Format(time.RFC1123Z),
			"uri":          "/2010-04-01/Accounts/" + sid + "/Messages/SM.json",
		})
	}))
	b.Cleanup(srv.Close)
	p, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: strings.Repeat("0", 32), From: "+14155550100", APIBaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	return p
}
