package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// Name is the provider's name, in receipts and errors.
const Name = "console"

// Provider prints messages; see the package doc. It is safe for concurrent
// use: each message is one write to w and one append to the outbox, and
// messages never interleave.
type Provider struct {
	w      io.Writer
	outbox string
	now    func() time.Time
	as     string // the provider it stands in for; "" is itself

	mu sync.Mutex // serialises writes to w and the outbox
}

var _ providers.Provider = (*Provider)(nil)

// Option changes a Provider's defaults.
type Option func(*Provider)

// WithClock sets the clock for the outbox's "at" (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(p *Provider) { p.now = now }
}

// As makes the Provider stand in for the named provider (whatsapp, eum,
// twilio, sns) in a local stack: Name is that name, so a chain built from
// SMS_PROVIDERS and SMS_ROUTES routes and fails over as deployed, and each
// line names the channel and the provider a deployment would use.
func As(provider string) Option {
	return func(p *Provider) { p.as = provider }
}

// Record is one line of the outbox file.
type Record struct {
	ID   string    `json:"id"`   // Message.ID
	To   string    `json:"to"`   // E.164
	Body string    `json:"body"` // the full text
	At   time.Time `json:"at"`   // when it was "sent", UTC
	// Channel and Provider are what a deployment would use, for a
	// Provider made with As; absent otherwise.
	Channel  string `json:"channel,omitempty"`
	Provider string `json:"provider,omitempty"`
}

// New returns a Provider that prints each message as one line on w and, when
// outboxPath is not empty, appends it as one JSON Record line to that file,
// creating it (mode 0600: it holds codes) if it does not exist. The file is
// opened for every message, so it may be deleted or truncated to start over.
func New(w io.Writer, outboxPath string, opts ...Option) (*Provider, error) {
	if w == nil {
		return nil, errors.New("console provider: writer is nil (use io.Discard to print nothing)")
	}
	p := &Provider{w: w, outbox: outboxPath, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	if p.now == nil {
		return nil, errors.New("console provider: WithClock(nil)")
	}
	if outboxPath != "" {
		f, err := openOutbox(outboxPath)
		if err != nil {
			return nil, fmt.Errorf("console provider: outbox: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("console provider: outbox: %w", err)
		}
	}
	return p, nil
}

func openOutbox(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// Name is "console", or the name given to As.
func (p *Provider) Name() string {
	if p.as != "" {
		return p.as
	}
	return Name
}

// Send prints m as
//
//	sms id=<id> to=<to> body="<body, Go-quoted>"
//
// or, standing in for a provider (As), as
//
//	whatsapp via=whatsapp id=<id> to=<to> body="<body, Go-quoted>"
//
// (id and to are quoted too when empty or holding spaces, quotes or
// unprintable characters, so a message is always one line) and appends its
// Record to the outbox. The receipt's MessageID is m.ID. A failed write is a
// Transient error.
func (p *Provider) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return providers.Receipt{}, &providers.Error{Provider: p.Name(), Kind: providers.Transient, Err: err}
	}
	rec := Record{ID: m.ID, To: m.To, Body: m.Body}
	line := "sms "
	if p.as != "" {
		rec.Channel, rec.Provider = channel.Of(p.as), p.as
		line = rec.Channel + " via=" + value(p.as) + " "
	}
	line += "id=" + value(m.ID) + " to=" + value(m.To) + " body=" + strconv.Quote(m.Body) + "\n"

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.outbox != "" {
		rec.At = p.now().UTC()
		if err := p.appendRecord(rec); err != nil {
			return providers.Receipt{}, &providers.Error{Provider: p.Name(), Kind: providers.Transient, Code: "outbox", Err: err}
		}
	}
	if _, err := io.WriteString(p.w, line); err != nil {
		return providers.Receipt{}, &providers.Error{Provider: p.Name(), Kind: providers.Transient, Code: "write", Err: err}
	}
	return providers.Receipt{Provider: p.Name(), MessageID: m.ID}, nil
}

// appendRecord writes r as one line in one write. Callers hold mu.
func (p *Provider) appendRecord(r Record) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // Encode ends the line with '\n'
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	f, err := openOutbox(p.outbox)
	if err != nil {
		return err
	}
	_, werr := f.Write(buf.Bytes())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

// value is s, or s quoted when it would not read as one bare word.
func value(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '=' || r == 0x7f || !strconv.IsPrint(r)
	}) {
		return strconv.Quote(s)
	}
	return s
}
