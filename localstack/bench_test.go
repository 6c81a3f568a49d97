package localstack_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
)

// The local stack's figures: start-up time, and sign-ins per second with
// their latencies under benchClients concurrent clients, on each backend.
// Run them with scripts/bench (no race detector); the figures are the
// custom metrics on each result line.

// benchClients is how many clients sign in at once.
const benchClients = 20

// benchSettings raise the country and global hourly caps to their maximum
// (triggers/env.go's bounds) so that no run is refused; per-number caps need no
// change, since every sign-in uses a fresh number.
var benchSettings = map[string]string{
	"OTP_CAP_COUNTRY_HOUR": "10000000",
	"OTP_CAP_GLOBAL_HOUR":  "100000000",
}

// BenchmarkStartup is the time from localstack.New to the first answer
// over HTTP, on the embedded backends. It includes generating the 2048-bit
// RSA signing key, which is most of it and varies run to run.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	ready := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		s, err := localstack.New(context.Background(), localstack.Options{
			Addr: "127.0.0.1:0", Outbox: filepath.Join(dir, fmt.Sprintf("outbox-%d.jsonl", i)),
		})
		if err != nil {
			b.Fatalf("New: %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		if err := firstAnswer(probe, s.URL()); err != nil {
			cancel()
			<-done
			b.Fatal(err)
		}
		ready = append(ready, time.Since(t0))

		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatalf("Run: %v", err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(ms(mean(ready)), "ms-to-ready")
	b.ReportMetric(ms(percentile(ready, 0.50)), "p50-ready-ms")
	b.ReportMetric(ms(percentile(ready, 0.99)), "p99-ready-ms")
}

// firstAnswer waits for the stack at url to answer GET / with 200. The
// listener is open once New returns, so the first try normally succeeds;
// the loop is for a machine too busy to start serving at once.
func firstAnswer(c *http.Client, endpoint string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := c.Get(endpoint)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", res.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s within 10 s: %w", endpoint, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkSignIn signs in b.N fresh numbers, benchClients at a time, each
// with its own SDK client: SignUp, InitiateAuth (CUSTOM_AUTH), wait for the
// SMS, RespondToAuthChallenge with its code, tokens. Besides ns/op (wall
// time per sign-in, all clients together) it reports sign-ins per second
// and the p50 and p99 latency from sending InitiateAuth to the console
// provider writing the SMS (-sms-ms) and to RespondToAuthChallenge
// returning the tokens (-tokens-ms). SignUp is in the rate, not in the
// latencies. On DynamoDB Local + fauxqs it also reports the stack's
// requests per sign-in (ddb-req/op; sqs-req/op, idle long polls included).
func BenchmarkSignIn(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			benchSignIn(b, be.env(b))
		})
	}
}

func benchSignIn(b *testing.B, backendEnv map[string]string) {
	if b.N > maxBenchNumbers {
		b.Fatalf("b.N = %d sign-ins, but only %d fresh numbers: use a smaller -benchtime", b.N, maxBenchNumbers)
	}
	env := map[string]string{}
	for k, v := range backendEnv {
		env[k] = v
	}
	for k, v := range benchSettings {
		env[k] = v
	}
	watch := newSMSWatch()
	logs := &testutil.SyncBuffer{}
	o := localstack.Options{
		Addr: "127.0.0.1:0", Outbox: filepath.Join(b.TempDir(), "outbox.jsonl"), SMS: watch,
		Log:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Getenv: func(k string) string { return env[k] },
	}
	var counter *awsCounter
	if env["OTP_TABLE_NAME"] != "" {
		o.AWS = awsConfig(b)
		counter = newAWSCounter(b, o.AWS)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := localstack.New(ctx, o)
	if err != nil {
		cancel()
		b.Fatalf("start the local stack: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Run: %v", err)
		}
		if b.Failed() {
			b.Logf("stack log (warnings and errors):\n%s", logs.String())
		}
	})

	var (
		next  atomic.Int64
		mu    sync.Mutex
		sms   = make([]time.Duration, 0, b.N)
		toks  = make([]time.Duration, 0, b.N)
		first error
		wg    sync.WaitGroup
	)
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	counter.reset()
	b.ResetTimer()
	for range benchClients {
		c := newBenchClient(s, watch)
		wg.Go(func() {
			for runCtx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				lat, err := c.signIn(runCtx, benchNumber(int(i)))
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
						stop()
					}
				} else {
					sms, toks = append(sms, lat.sms), append(toks, lat.tokens)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if first != nil {
		b.Fatal(first)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signins/s")
	b.ReportMetric(ms(percentile(sms, 0.50)), "p50-sms-ms")
	b.ReportMetric(ms(percentile(sms, 0.99)), "p99-sms-ms")
	b.ReportMetric(ms(percentile(toks, 0.50)), "p50-tokens-ms")
	b.ReportMetric(ms(percentile(toks, 0.99)), "p99-tokens-ms")
	counter.report(b)
	if n := watch.strays(); n > 0 {
		b.Logf("%d SMS arrived that no sign-in was waiting for (a second send to a number)", n)
	}
}

// awsCounter counts the stack's requests to DynamoDB and to SQS, which
// share its aws.Config, over the SDK's default transport.
type awsCounter struct {
	ddbHost  string
	ddb, sqs testenv.CountingTransport
}

// newAWSCounter makes cfg's HTTP client count through the returned counter.
func newAWSCounter(tb testing.TB, cfg *aws.Config) *awsCounter {
	u, err := url.Parse(testenv.DynamoDBEndpoint(tb))
	if err != nil {
		tb.Fatal(err)
	}
	c := &awsCounter{ddbHost: u.Host}
	base := awshttp.NewBuildableClient().GetTransport()
	c.ddb.Base, c.sqs.Base = base, base
	cfg.HTTPClient = &http.Client{Transport: c}
	return c
}

func (c *awsCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == c.ddbHost {
		return c.ddb.RoundTrip(r)
	}
	return c.sqs.RoundTrip(r)
}

// reset and report do nothing on a nil counter (the embedded backends).
func (c *awsCounter) reset() {
	if c != nil {
		c.ddb.Reset()
		c.sqs.Reset()
	}
}

// report adds requests per sign-in, as the triggers' benchmarks do.
func (c *awsCounter) report(b *testing.B) {
	if c != nil {
		b.ReportMetric(float64(c.ddb.Count())/float64(b.N), "ddb-req/op")
		b.ReportMetric(float64(c.sqs.Count())/float64(b.N), "sqs-req/op")
	}
}

// maxBenchNumbers is how many numbers benchNumber makes.
const maxBenchNumbers = 10 * 10000

// benchNumber is the i-th fresh number: +1 <area> 555 <4 digits>, valid
// US numbers the numbering plan calls FIXED_LINE_OR_MOBILE.
func benchNumber(i int) string {
	areas := [10]string{"415", "650", "510", "408", "212", "646", "312", "206", "617", "303"}
	return fmt.Sprintf("+1%s555%04d", areas[i/10000], i%10000)
}

// benchClient is one client with its own SDK client and connections.
type benchClient struct {
	cip      *cip.Client
	clientID string
	watch    *smsWatch
}

func newBenchClient(s *localstack.Stack, w *smsWatch) *benchClient {
	return &benchClient{
		cip: cip.New(cip.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		}),
		clientID: s.ClientID(),
		watch:    w,
	}
}

// signInLatency is one sign-in's time from sending InitiateAuth to the SMS
// and to the tokens.
type signInLatency struct{ sms, tokens time.Duration }

// smsWait bounds the wait for one SMS; far above any healthy figure.
const smsWait = 30 * time.Second

func (c *benchClient) signIn(ctx context.Context, phone string) (signInLatency, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*smsWait)
	defer cancel()
	_, err := c.cip.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(c.clientID), Username: aws.String(phone),
		Password: aws.String("a-password-nobody-keeps-0123456789"),
	})
	if err != nil {
		return signInLatency{}, fmt.Errorf("SignUp %s: %w", phone, err)
	}
	arrived := c.watch.expect(phone)
	defer c.watch.forget(phone)
	sent := time.Now()
	out, err := c.cip.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(c.clientID), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": phone},
	})
	if err != nil {
		return signInLatency{}, fmt.Errorf("InitiateAuth %s: %w", phone, err)
	}
	if out.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		return signInLatency{}, fmt.Errorf("InitiateAuth %s: challenge %q, want CUSTOM_CHALLENGE", phone, out.ChallengeName)
	}
	var got smsSeen
	select {
	case got = <-arrived:
	case <-time.After(smsWait):
		return signInLatency{}, fmt.Errorf("no SMS to %s within %s", phone, smsWait)
	case <-ctx.Done():
		return signInLatency{}, fmt.Errorf("wait for the SMS to %s: %w", phone, ctx.Err())
	}
	res, err := c.cip.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(c.clientID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": out.ChallengeParameters["USERNAME"], "ANSWER": got.code},
	})
	if err != nil {
		return signInLatency{}, fmt.Errorf("RespondToAuthChallenge %s: %w", phone, err)
	}
	if res.AuthenticationResult == nil {
		return signInLatency{}, fmt.Errorf("RespondToAuthChallenge %s: no tokens, challenge %q", phone, res.ChallengeName)
	}
	return signInLatency{sms: got.at.Sub(sent), tokens: time.Since(sent)}, nil
}

// smsWatch is the stack's Options.SMS: it reads the console provider's
// lines as they are written and hands each code, with the time it was
// written, to the sign-in waiting for that number. No file is polled.
type smsWatch struct {
	mu      sync.Mutex
	partial []byte // a line not yet ended
	waiters map[string]chan smsSeen
	stray   int
}

// smsSeen is one SMS as the console provider wrote it.
type smsSeen struct {
	code string
	at   time.Time
}

func newSMSWatch() *smsWatch { return &smsWatch{waiters: map[string]chan smsSeen{}} }

// expect returns the channel the next SMS to phone will arrive on. Call it
// before the request that sends the SMS.
func (w *smsWatch) expect(phone string) <-chan smsSeen {
	ch := make(chan smsSeen, 1)
	w.mu.Lock()
	w.waiters[phone] = ch
	w.mu.Unlock()
	return ch
}

// forget drops phone's waiter, if it is still there.
func (w *smsWatch) forget(phone string) {
	w.mu.Lock()
	delete(w.waiters, phone)
	w.mu.Unlock()
}

// strays is how many SMS came with nobody waiting.
func (w *smsWatch) strays() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stray
}

// Write takes the console provider's output. It never fails: an error
// here would make the worker retry the send. A line it cannot read counts
// as a stray.
func (w *smsWatch) Write(p []byte) (int, error) {
	at := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	rest := w.partial
	for {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			break
		}
		rest = after
		to, body, err := parseSMSLine(string(line))
		ch := w.waiters[to]
		m := codeRE.FindStringSubmatch(body)
		if err != nil || ch == nil || m == nil {
			w.stray++
			continue
		}
		ch <- smsSeen{code: m[1], at: at}
		delete(w.waiters, to)
	}
	w.partial = append(w.partial[:0], rest...)
	return len(p), nil
}

// parseSMSLine reads one line of the console provider,
//
//	sms id=<id> to=<to> body="<Go-quoted body>"
//
// where id and to are bare words or Go-quoted.
func parseSMSLine(line string) (to, body string, err error) {
	rest, ok := strings.CutPrefix(line, "sms ")
	if !ok {
		return "", "", fmt.Errorf("console line %q: no %q prefix", line, "sms ")
	}
	var vals [3]string
	for i, key := range []string{"id", "to", "body"} {
		if rest, ok = strings.CutPrefix(rest, key+"="); !ok {
			return "", "", fmt.Errorf("console line %q: no %s=", line, key)
		}
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return "", "", fmt.Errorf("console line %q: %s: %w", line, key, err)
			}
			vals[i], _ = strconv.Unquote(q)
			rest = strings.TrimPrefix(rest[len(q):], " ")
		} else {
			vals[i], rest, _ = strings.Cut(rest, " ")
		}
	}
	if rest != "" {
		return "", "", fmt.Errorf("console line %q: trailing %q", line, rest)
	}
	return vals[1], vals[2], nil
}

// The benchmark's SMS detection depends on the console provider's line
// format; this checks it against the provider itself.
func TestSMSWatchReadsConsoleLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  providers.Message
	}{
		{"plain", providers.Message{ID: "m-1", To: "+14155550100", Body: "Your sign-in code is 123456. It expires in 5 minutes. Don't share it."}},
		{"quoted id", providers.Message{ID: "", To: "+14155550101", Body: "Your sign-in code is 0042. \"Quotes\" and\nnewlines."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newSMSWatch()
			p, err := console.New(w, "")
			if err != nil {
				t.Fatal(err)
			}
			arrived := w.expect(tc.msg.To)
			if _, err := p.Send(context.Background(), tc.msg); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-arrived:
				if want := codeRE.FindStringSubmatch(tc.msg.Body)[1]; got.code != want {
					t.Errorf("code = %q, want %q", got.code, want)
				}
			default:
				t.Fatalf("no SMS to %s seen; strays %d", tc.msg.To, w.strays())
			}
		})
	}
}

func TestParseSMSLineRefusals(t *testing.T) {
	for _, tc := range []struct{ name, line string }{
		{"empty", ``},
		{"no id", `sms to=+14155550100 body="x"`},
		{"unended quote", `sms id=1 to=+14155550100 body="x`},
		{"trailing text", `sms id=1 to=+14155550100 body="x" more`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if to, body, err := parseSMSLine(tc.line); err == nil {
				t.Errorf("parseSMSLine(%q) = %q, %q, want an error", tc.line, to, body)
			}
		})
	}
}

// percentile is the nearest-rank p-th percentile of ds (0 for none).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(0, int(math.Ceil(p*float64(len(s))))-1)]
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
