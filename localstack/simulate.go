package localstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// SimulatedProvider is a console "provider" behind a simulated carrier:
// Share of its SMS are delivered (printed, and written to the outbox)
// Delay after the send, the rest are dropped then, and either way its
// receipt goes through the same receipt handling as Twilio's callbacks
// and SNS's delivery logs, so tallies and resends act on it.
type SimulatedProvider struct {
	Name  string
	Share float64       // 0 to 1: the share delivered
	Delay time.Duration // send to receipt
}

// DroppedCode is the error code a simulated carrier's undelivered receipt
// carries: Twilio's 30007 (message filtered), a failure another route may
// fix, so the worker resends.
const DroppedCode = "30007"

// MaxSimulatedDelay bounds a simulated receipt's delay.
const MaxSimulatedDelay = 10 * time.Minute

var reSimName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// ParseSimulation reads --simulate-delivery: name=share@delay,... in the
// order the worker tries them, e.g. a=0.5@2s,b=0.98@1s.
func ParseSimulation(s string) ([]SimulatedProvider, error) {
	var out []SimulatedProvider
	var errs []error
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := parseSimulated(part)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("--simulate-delivery %.40q: %w", part, err))
		case slices.ContainsFunc(out, func(o SimulatedProvider) bool { return o.Name == p.Name }):
			errs = append(errs, fmt.Errorf("--simulate-delivery: %s listed twice", p.Name))
		default:
			out = append(out, p)
		}
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("--simulate-delivery: names no provider; want name=share@delay,..., e.g. a=0.5@2s,b=0.98@1s"))
	}
	return out, errors.Join(errs...)
}

func parseSimulated(part string) (SimulatedProvider, error) {
	name, rest, ok := strings.Cut(part, "=")
	share, delay, ok2 := strings.Cut(rest, "@")
	if !ok || !ok2 {
		return SimulatedProvider{}, errors.New("want name=share@delay, e.g. a=0.5@2s")
	}
	p := SimulatedProvider{Name: strings.TrimSpace(name)}
	if !reSimName.MatchString(p.Name) {
		return p, errors.New("the name must be a lower-case letter, then up to 31 letters, digits or '-'")
	}
	var err error
	if p.Share, err = strconv.ParseFloat(strings.TrimSpace(share), 64); err != nil || p.Share < 0 || p.Share > 1 {
		return p, errors.New("the share delivered must be a number from 0 to 1")
	}
	if p.Delay, err = time.ParseDuration(strings.TrimSpace(delay)); err != nil || p.Delay < 0 || p.Delay > MaxSimulatedDelay {
		return p, fmt.Errorf("the delay must be a duration from 0s to %s, e.g. 2s", MaxSimulatedDelay)
	}
	return p, nil
}

// receiptSink takes a receipt (*receipts.Handler).
type receiptSink interface {
	HandleReceipt(ctx context.Context, r delivery.Receipt) error
}

// carrier settles the simulated providers' sends: one timer per SMS, all
// stopped when the stack stops.
type carrier struct {
	console  providers.Provider // prints delivered SMS and writes the outbox
	receipts receiptSink
	log      *slog.Logger
	now      func() time.Time
	rand     func() float64

	mu      sync.Mutex
	timers  map[*time.Timer]struct{}
	stopped bool
	seq     atomic.Int64
}

func newCarrier(console providers.Provider, receipts receiptSink, log *slog.Logger, now func() time.Time) *carrier {
	return &carrier{console: console, receipts: receipts, log: log, now: now, rand: rand.Float64, timers: map[*time.Timer]struct{}{}}
}

// simProvider is one simulated provider.
type simProvider struct {
	spec SimulatedProvider
	c    *carrier
}

func (p simProvider) Name() string { return p.spec.Name }

// Send accepts every SMS at once, as a provider's API does, and leaves its
// fate to the carrier.
func (p simProvider) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return providers.Receipt{}, &providers.Error{Provider: p.spec.Name, Kind: providers.Transient, Err: err}
	}
	id := fmt.Sprintf("%s-%d", p.spec.Name, p.c.seq.Add(1))
	delivered := p.c.rand() < p.spec.Share
	p.c.after(p.spec.Delay, func() { p.settle(m, id, delivered) })
	return providers.Receipt{Provider: p.spec.Name, MessageID: id}, nil
}

// settle delivers or drops the SMS and reports its receipt.
func (p simProvider) settle(m providers.Message, id string, delivered bool) {
	ctx := context.Background()
	r := delivery.Receipt{Provider: p.spec.Name, MessageID: id, Status: delivery.Delivered, At: p.c.now()}
	if delivered {
		m.ID = id // the console line names the message the provider carried
		if _, err := p.c.console.Send(ctx, m); err != nil {
			p.c.log.Error("simulated delivery not printed", "provider", p.spec.Name, "err", err)
		}
	} else {
		r.Status, r.ErrorCode = delivery.Undelivered, DroppedCode
		p.c.log.Info("simulated carrier dropped an SMS", "provider", p.spec.Name, "providerMessageId", id, "phone", phone.Mask(m.To), "errorCode", DroppedCode)
	}
	if err := p.c.receipts.HandleReceipt(ctx, r); err != nil {
		p.c.log.Error("simulated receipt not applied", "provider", p.spec.Name, "providerMessageId", id, "err", err)
	}
}

// after runs f after d unless the carrier has stopped.
func (c *carrier) after(d time.Duration, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		c.mu.Lock()
		_, live := c.timers[t]
		delete(c.timers, t)
		c.mu.Unlock()
		if live {
			f()
		}
	})
	c.timers[t] = struct{}{}
}

// stop drops every SMS still in flight.
func (c *carrier) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	for t := range c.timers {
		t.Stop()
	}
	clear(c.timers)
}
