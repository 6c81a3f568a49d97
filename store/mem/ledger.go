package mem

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

// messageKey is a sent message's identity: provider and provider id.
type messageKey struct{ provider, id string }

// tallyKey is one window's tally of one provider and country. Memory needs
// no shards: one mutex serialises every update.
type tallyKey struct {
	provider, country string
	start             int64 // window start, Unix seconds
}

// Ledger keeps sent messages, their receipts and the delivery tallies in
// memory, with the semantics of storetest.RunLedger.
type Ledger struct {
	cfg delivery.Config
	now func() time.Time

	mu       sync.Mutex
	messages map[messageKey]delivery.Message
	tallies  map[tallyKey]delivery.Tally
	writes   int
}

// NewLedger returns an empty ledger; now is used only to sweep old items.
func NewLedger(cfg delivery.Config, now func() time.Time) (*Ledger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("delivery ledger: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Ledger{cfg: cfg, now: now, messages: map[messageKey]delivery.Message{}, tallies: map[tallyKey]delivery.Tally{}}, nil
}

// RecordSent: see storetest.Ledger.
func (l *Ledger) RecordSent(ctx context.Context, m delivery.Message) error {
	if err := m.Check(); err != nil {
		return fmt.Errorf("record sent %s/%s: %w", m.Provider, m.ID, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("record sent %s/%s: %w", m.Provider, m.ID, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := messageKey{m.Provider, m.ID}
	if _, ok := l.messages[k]; ok {
		return nil // a repeat of the same send: counted once
	}
	l.messages[k] = m
	l.count(m, delivery.Change(delivery.Message{}, m))
	return nil
}

// ApplyReceipt: see storetest.Ledger.
func (l *Ledger) ApplyReceipt(ctx context.Context, r delivery.Receipt) (delivery.Applied, error) {
	if err := r.Check(); err != nil {
		return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: %w", r.Provider, r.MessageID, err)
	}
	if err := ctx.Err(); err != nil {
		return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: %w", r.Provider, r.MessageID, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := messageKey{r.Provider, r.MessageID}
	before, ok := l.messages[k]
	if !ok {
		return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: %w", r.Provider, r.MessageID, delivery.ErrUnknownMessage)
	}
	after, changed := before.Advance(r)
	if changed {
		l.messages[k] = after
		l.count(after, delivery.Change(before, after))
	}
	return delivery.Applied{Before: before, After: after, Changed: changed}, nil
}

// Message: see dynamo.Ledger.Message.
func (l *Ledger) Message(ctx context.Context, provider, id string) (delivery.Message, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, ok := l.messages[messageKey{provider, id}]
	if !ok {
		return delivery.Message{}, fmt.Errorf("read message %s/%s: %w", provider, id, delivery.ErrUnknownMessage)
	}
	return m, nil
}

// Tally: see storetest.Ledger.
func (l *Ledger) Tally(ctx context.Context, provider, country string, from, to time.Time) (delivery.Tally, error) {
	if err := ctx.Err(); err != nil {
		return delivery.Tally{}, fmt.Errorf("tally %s/%s: %w", provider, country, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var sum delivery.Tally
	for w := l.cfg.WindowStart(from); w.Before(to); w = w.Add(l.cfg.Window) {
		sum.Add(l.tallies[tallyKey{provider, country, w.Unix()}])
	}
	return sum, nil
}

// count adds change to m's send window; the caller holds mu.
func (l *Ledger) count(m delivery.Message, change delivery.Tally) {
	k := tallyKey{m.Provider, m.Country, l.cfg.WindowStart(m.SentAt).Unix()}
	t := l.tallies[k].Clone()
	t.Add(change)
	l.tallies[k] = t
	l.writes++
	if l.writes%sweepEvery == 0 {
		l.sweep()
	}
}

// sweep drops what DynamoDB's TTL would have; the caller holds mu.
func (l *Ledger) sweep() {
	now := l.now()
	for k, m := range l.messages {
		if now.After(m.SentAt.Add(l.cfg.MessageRetention)) {
			delete(l.messages, k)
		}
	}
	for k := range l.tallies {
		if now.After(time.Unix(k.start, 0).Add(l.cfg.Window + l.cfg.TallyRetention)) {
			delete(l.tallies, k)
		}
	}
}
