package soak

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// Config is one soak run.
type Config struct {
	Duration time.Duration // how long sign-ins start (default 10 min)
	Rate     float64       // sign-ins started per second (default 4)
	Clients  int           // sign-ins in flight at most (default 32)
	// ProviderFaults and StoreFaults are the share of provider sends and
	// of store and queue calls that fail (default 0.10 and 0.05); half
	// fail before the call, half after it (the work done, the answer lost).
	ProviderFaults, StoreFaults float64
	// Shares of sign-ins: an unregistered number, a number that signed in
	// before, an answer wrong before the right one, a resend tap.
	UnknownShare, ReturningShare, WrongShare, ResendShare float64
	SMSWait                                               time.Duration // how long a person waits for an SMS before trying again (30 s)
	Sample                                                time.Duration // how often memory and goroutines are sampled (default Duration/20)
	Seed                                                  uint64
	// Simulate puts simulated providers behind a simulated carrier that
	// drops a share of their SMS (otp-local's --simulate-delivery): the
	// people get only what the carrier delivered, and the worker resends
	// what it did not (SMS_DELIVERY_TIMEOUT, SMS_MAX_SENDS_PER_CODE).
	// Empty: one console provider that delivers every SMS it sends.
	Simulate []localstack.SimulatedProvider
	// Faults decides each call's fate; nil means Random at the rates above.
	Faults Faults
	// Progress gets a line per sample; nil means none.
	Progress io.Writer
	// LogDir is where the stack's log file goes (default the temp dir);
	// the file is removed after the scan unless KeepLog.
	LogDir  string
	KeepLog bool
}

func (c *Config) withDefaults() {
	def := func(v *float64, d float64) {
		if *v < 0 || math.IsNaN(*v) {
			*v = d
		}
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Minute
	}
	if c.Rate <= 0 {
		c.Rate = 4
	}
	if c.Clients <= 0 {
		c.Clients = 32
	}
	def(&c.ProviderFaults, 0.10)
	def(&c.StoreFaults, 0.05)
	def(&c.UnknownShare, 0.10)
	def(&c.ReturningShare, 0.20)
	def(&c.WrongShare, 0.20)
	def(&c.ResendShare, 0.10)
	if c.SMSWait <= 0 {
		c.SMSWait = time.Minute
	}
	if c.Sample <= 0 {
		c.Sample = max(c.Duration/20, time.Second)
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
}

// DefaultConfig is the soak: 10 minutes, 10% provider faults, 5%
// store faults. Negative shares in a Config also mean these defaults.
func DefaultConfig() Config {
	return Config{ProviderFaults: -1, StoreFaults: -1, UnknownShare: -1, ReturningShare: -1, WrongShare: -1, ResendShare: -1}
}

// Run starts a local stack with faults between it and its parts, signs
// people in against it for cfg.Duration, lets the last sign-ins finish,
// stops it, and reports.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.withDefaults()
	rep := &Report{Config: cfg, Outcomes: map[Outcome]int{}}
	faults := cfg.Faults
	if faults == nil {
		faults = NewRandom(cfg.Seed, map[string]float64{"store": cfg.StoreFaults, "queue": cfg.StoreFaults, "provider": cfg.ProviderFaults})
	}
	logFile, err := os.CreateTemp(cfg.LogDir, "otp-soak-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	rep.LogPath = logFile.Name()
	defer func() {
		logFile.Close()
		if !cfg.KeepLog {
			os.Remove(rep.LogPath)
			rep.LogPath = ""
		}
	}()
	secret := randomHex(32)
	env := map[string]string{
		"OTP_SECRET": "plain:" + secret,
		// Country and global caps at their maximum, as the benchmarks have
		// them; per-number caps stay at their defaults and do refuse.
		"OTP_CAP_COUNTRY_HOUR": "10000000",
		"OTP_CAP_GLOBAL_HOUR":  "100000000",
	}
	// sms is what reached the phones; sends every SMS a provider took,
	// the same but for the ones a simulated carrier then dropped.
	sms, sends, window := newSMSBook(), newSMSBook(), newWindowFaults()
	if len(cfg.Simulate) == 0 {
		sends = sms
	}
	wrap := wrappers(faults, window, sends.sent)
	if len(cfg.Simulate) > 0 {
		wrap.Delivered = func(p providers.Provider) providers.Provider { return delivered{Provider: p, sent: sms.sent} }
	}
	stackCtx, stopStack := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStack()
	stack, err := localstack.New(stackCtx, localstack.Options{
		Addr: "127.0.0.1:0", Outbox: "-", SMS: io.Discard,
		Log:    slog.New(slog.NewJSONHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Getenv: func(k string) string { return env[k] },
		Wrap:   wrap, Simulate: cfg.Simulate,
	})
	if err != nil {
		return nil, fmt.Errorf("start the local stack: %w", err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stack.Run(stackCtx) }()

	start := time.Now()
	rep.Baseline = sample(start, 0)
	var started atomic.Int64
	samplerDone := make(chan struct{})
	stopSampler := make(chan struct{})
	go func() {
		defer close(samplerDone)
		t := time.NewTicker(cfg.Sample)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s := sample(start, started.Load())
				rep.Samples = append(rep.Samples, s)
				if cfg.Progress != nil {
					fmt.Fprintf(cfg.Progress, "%s\n", s)
				}
			case <-stopSampler:
				return
			}
		}
	}()

	conns := &http.Transport{MaxIdleConnsPerHost: cfg.Clients}
	run := &runner{cfg: cfg, rep: rep, sms: sms, stack: stack, started: &started, conns: conns, window: window}
	finish := run.load(ctx)
	// Memory is sampled while sign-ins start; the last ones then finish.
	close(stopSampler)
	<-samplerDone
	finish()
	rep.Elapsed = time.Since(start)
	// The people are gone; what is left running is the stack's own.
	conns.CloseIdleConnections()
	time.Sleep(time.Second)
	rep.Drained = sample(start, started.Load())
	stopStack()
	if err := <-stopped; err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}

	rep.SMS, rep.Sends = sms.total, sends.total
	rep.PerCode, rep.Extra = sms.perCodeHistogram()
	rep.SendsPerCode, _ = sends.perCodeHistogram()
	// Sends beyond the bound per code, by number: one, or with simulated
	// delivery the resends' SMS_MAX_SENDS_PER_CODE; then each fault in
	// the duplicate window may rightly add one.
	bound := 1
	if len(cfg.Simulate) > 0 {
		bound = worker.DefaultResendConfig().MaxSends
	}
	for to, n := range sends.beyond(bound) {
		if n > window.of(to) {
			rep.Unexplained += n - window.of(to)
		}
	}
	for _, to := range run.unknownNumbers() {
		rep.SMSToUnknown += sends.count(to)
	}
	if r, ok := faults.(*Random); ok {
		rep.Faults = r.Counts()
	}
	logFile.Close()
	if rep.Scan, err = scanLogs(rep.LogPath, sms.allCodes(), secret); err != nil {
		return nil, fmt.Errorf("scan the log: %w", err)
	}
	return rep, nil
}

// runner starts sign-ins at the rate, each on a free client.
type runner struct {
	cfg     Config
	rep     *Report
	sms     *smsBook
	stack   *localstack.Stack
	started *atomic.Int64
	conns   *http.Transport // every client's
	window  *windowFaults

	mu      sync.Mutex
	fresh   int      // next fresh number
	unknown []string // unregistered numbers used
}

// load starts sign-ins for the configured time and returns what waits for
// the last of them to end.
func (r *runner) load(ctx context.Context) (finish func()) {
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	for i := range r.cfg.Clients {
		c := newClient(r.stack.URL(), r.stack.ClientID(), &http.Client{Transport: r.conns}, r.sms, r.window.lastWrite, r.cfg.Seed+uint64(i)+1, r.cfg)
		wg.Go(func() { r.person(ctx, c, jobs) })
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / r.cfg.Rate))
	end := time.After(r.cfg.Duration)
loop:
	for {
		select {
		case <-tick.C:
			select {
			case jobs <- struct{}{}:
				r.started.Add(1)
			default:
				r.mu.Lock()
				r.rep.Skipped++
				r.mu.Unlock()
			}
		case <-end:
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	tick.Stop()
	close(jobs)
	return wg.Wait
}

// person is one client: each job is one sign-in, of a kind drawn by share.
func (r *runner) person(ctx context.Context, c *client, jobs <-chan struct{}) {
	var mine []string // registered numbers this person signed in with
	rnd := mrand.New(mrand.NewPCG(c.rnd.Uint64(), 3))
	for range jobs {
		var out Outcome
		x := rnd.Float64()
		switch {
		case x < r.cfg.UnknownShare:
			out = c.signIn(ctx, r.unknownNumber(), false)
		case x < r.cfg.UnknownShare+r.cfg.ReturningShare && len(mine) > 0:
			out = c.signIn(ctx, mine[rnd.IntN(len(mine))], true)
		default:
			phone := r.freshNumber()
			var ok bool
			if out, ok = c.signUp(ctx, phone); ok {
				mine = append(mine, phone)
				out = c.signIn(ctx, phone, true)
			}
		}
		r.mu.Lock()
		r.rep.Outcomes[out]++
		if out.Kind == "failed" && len(r.rep.Lost) < 20 {
			r.rep.Lost = append(r.rep.Lost, c.last)
		}
		r.mu.Unlock()
	}
}

// numbers: +1 <area> 555 <4 digits>, valid US numbers the numbering plan
// calls FIXED_LINE_OR_MOBILE; registered ones count up from the first area,
// unregistered ones down from the last.
var areas = [...]string{"415", "650", "510", "408", "212", "646", "312", "206", "617", "303"}

func number(i int) string { return fmt.Sprintf("+1%s555%04d", areas[i/10000%len(areas)], i%10000) }

func (r *runner) freshNumber() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fresh++
	return number(r.fresh - 1)
}

func (r *runner) unknownNumber() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := number(len(areas)*10000 - 1 - len(r.unknown))
	r.unknown = append(r.unknown, n)
	return n
}

func (r *runner) unknownNumbers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.unknown...)
}

// Sample is the process's memory and goroutines at one moment.
type Sample struct {
	At         time.Duration
	RSSMB      float64
	HeapMB     float64 // live heap, after a collection
	Goroutines int
	SignIns    int64
}

func (s Sample) String() string {
	return fmt.Sprintf("t=%-6s rss=%.1fMB live-heap=%.1fMB goroutines=%d sign-ins=%d",
		s.At.Round(time.Second), s.RSSMB, s.HeapMB, s.Goroutines, s.SignIns)
}

// sample collects garbage first, so HeapMB is what is live: what the
// stack keeps (users, refresh-token sessions, challenges until their sweep)
// and what the soak keeps to judge the run (SMS per code).
func sample(start time.Time, signIns int64) Sample {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return Sample{At: time.Since(start), RSSMB: rssMB(), HeapMB: float64(m.HeapAlloc) / (1 << 20),
		Goroutines: runtime.NumGoroutine(), SignIns: signIns}
}

// rssMB is the resident set from /proc (Linux); 0 elsewhere.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
