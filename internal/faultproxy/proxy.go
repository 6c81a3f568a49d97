package faultproxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Kind is one way a request is disturbed.
type Kind int

// The kinds of fault. ServerError and Throttle answer without forwarding
// (the server never sees the request); ResetAfter and Truncate forward
// first, so the server applied the request but the client cannot know.
const (
	ServerError Kind = iota + 1 // a 5xx with the protocol's error body
	Throttle                    // the protocol's throttling error
	Latency                     // Config.Latency added, then forwarded untouched
	ResetAfter                  // forwarded; the client's connection is reset instead of the answer
	Truncate                    // forwarded; half the answer's body, then the connection closes
)

// AllKinds lists every kind, in order.
var AllKinds = []Kind{ServerError, Throttle, Latency, ResetAfter, Truncate}

func (k Kind) String() string {
	switch k {
	case ServerError:
		return "5xx"
	case Throttle:
		return "throttle"
	case Latency:
		return "latency"
	case ResetAfter:
		return "reset-after-forward"
	case Truncate:
		return "truncated"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Config says what to disturb and how often.
type Config struct {
	Protocol Protocol
	// Seed makes the sequence of decisions repeat from run to run (for
	// requests that arrive in the same order).
	Seed uint64
	// Rate is the share of matching requests disturbed, 0 to 1.
	Rate float64
	// Kinds are chosen from evenly for a disturbed request; empty means AllKinds.
	Kinds []Kind
	// Latency is what a Latency fault adds; 0 means 100 ms.
	Latency time.Duration
	// Ops limits faults to these operations (e.g. "TransactWriteItems",
	// "SendMessage", "Messages.json"); empty means every operation.
	Ops []string
	// Match, when set, limits faults further to the requests it accepts
	// (e.g. only the UpdateItem that records a send).
	Match func(op string, body []byte) bool
	// Hold, when set, holds the request it matches (undisturbed) until
	// the test releases it; see Gate.
	Hold *Gate
}

// Proxy is a running fault proxy.
type Proxy struct {
	// URL is the proxy's base URL: give it to the client as its endpoint.
	URL string

	upstream string
	proto    Protocol
	srv      *httptest.Server
	fwd      *http.Transport

	mu    sync.Mutex
	cfg   Config
	rng   *rand.Rand
	stats Stats
}

// Stats counts what the proxy saw and did.
type Stats struct {
	Requests  int            // requests received
	Forwarded int            // requests the server received (and so may have applied)
	Faults    map[Kind]int   // disturbed requests by kind
	ByOp      map[string]int // disturbed requests by operation
}

// Start runs a proxy in front of upstream (a base URL such as
// http://127.0.0.1:8000) until the test ends.
func Start(t testing.TB, upstream string, cfg Config) *Proxy {
	t.Helper()
	p := &Proxy{
		upstream: strings.TrimRight(upstream, "/"),
		proto:    cfg.Protocol,
		fwd:      &http.Transport{MaxIdleConnsPerHost: 64},
		rng:      rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		stats:    Stats{Faults: map[Kind]int{}, ByOp: map[string]int{}},
	}
	p.set(cfg)
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	t.Cleanup(func() {
		p.mu.Lock()
		if g := p.cfg.Hold; g != nil {
			g.Release() // a held handler would keep Close waiting
		}
		p.mu.Unlock()
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.fwd.CloseIdleConnections()
	})
	return p
}

// Set replaces the configuration but for its Protocol and Seed (the seeded
// sequence goes on): a test takes a provider down with
// Set(Config{Rate: 1, Kinds: ...}) and brings it back with Rate 0.
func (p *Proxy) Set(cfg Config) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set(cfg)
}

func (p *Proxy) set(cfg Config) {
	cfg.Protocol = p.proto
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = AllKinds
	}
	if cfg.Latency <= 0 {
		cfg.Latency = 100 * time.Millisecond
	}
	p.cfg = cfg
}

// Stats returns a copy of the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Faults, s.ByOp = map[Kind]int{}, map[string]int{}
	for k, v := range p.stats.Faults {
		s.Faults[k] = v
	}
	for k, v := range p.stats.ByOp {
		s.ByOp[k] = v
	}
	return s
}

// Total is the number of disturbed requests.
func (s Stats) Total() int {
	n := 0
	for _, v := range s.Faults {
		n += v
	}
	return n
}

// String is one summary line: requests, faults by kind, faults by operation.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests, %d forwarded, %d disturbed", s.Requests, s.Forwarded, s.Total())
	for _, k := range AllKinds {
		if s.Faults[k] > 0 {
			fmt.Fprintf(&b, " %s=%d", k, s.Faults[k])
		}
	}
	ops := make([]string, 0, len(s.ByOp))
	for op := range s.ByOp {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	if len(ops) > 0 {
		b.WriteString(" (")
		for i, op := range ops {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s=%d", op, s.ByOp[op])
		}
		b.WriteString(")")
	}
	return b.String()
}

// decide draws this request's fault (0: none) and the variant of its
// error answer.
func (p *Proxy) decide(op string, body []byte) (Kind, int, Config) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Requests++
	cfg := p.cfg
	roll := p.rng.Float64()
	if roll >= cfg.Rate || (len(cfg.Ops) > 0 && !slices.Contains(cfg.Ops, op)) {
		return 0, 0, cfg
	}
	if cfg.Match != nil && !cfg.Match(op, body) {
		return 0, 0, cfg
	}
	k := cfg.Kinds[p.rng.IntN(len(cfg.Kinds))]
	p.stats.Faults[k]++
	p.stats.ByOp[op]++
	return k, p.rng.IntN(6), cfg
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	op := p.proto.operation(r, body)
	if p.hold(w, r, op, body) {
		return
	}
	kind, variant, cfg := p.decide(op, body)
	switch kind {
	case ServerError:
		writeAnswer(w, cfg.Protocol.serverError(variant))
		return
	case Throttle:
		writeAnswer(w, cfg.Protocol.throttle(variant))
		return
	case Latency:
		select {
		case <-time.After(cfg.Latency):
		case <-r.Context().Done():
			return
		}
	}
	resp, rbody, err := p.forward(r.Context(), r, body)
	if err != nil {
		http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	switch kind {
	case ResetAfter:
		reset(w)
	case Truncate:
		truncate(w, resp, rbody)
	default:
		copyHeader(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		w.Write(rbody)
	}
}

// hold serves the request Config.Hold takes: it waits for the release,
// forwards the request even if the client has hung up by then, and answers
// it if the client is still there. It reports whether it took the request.
func (p *Proxy) hold(w http.ResponseWriter, r *http.Request, op string, body []byte) bool {
	p.mu.Lock()
	g := p.cfg.Hold
	p.mu.Unlock()
	if g == nil || !g.take(op, body) {
		return false
	}
	p.mu.Lock()
	p.stats.Requests++
	p.mu.Unlock()
	<-g.release
	resp, rbody, err := p.forward(context.WithoutCancel(r.Context()), r, body)
	if err == nil {
		g.status = resp.StatusCode
	}
	close(g.done)
	if err != nil {
		http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return true
	}
	copyHeader(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	w.Write(rbody)
	return true
}

// forward sends the request on to the server under ctx and reads its whole
// answer.
func (p *Proxy) forward(ctx context.Context, r *http.Request, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	copyHeader(req.Header, r.Header)
	req.Header.Del("Accept-Encoding") // the body is passed on as it comes
	p.mu.Lock()
	p.stats.Forwarded++
	p.mu.Unlock()
	resp, err := p.fwd.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	rbody, err := io.ReadAll(resp.Body)
	return resp, rbody, err
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		if k == "Content-Length" || k == "Connection" || k == "Transfer-Encoding" {
			continue
		}
		dst[k] = append([]string(nil), vs...)
	}
}

func writeAnswer(w http.ResponseWriter, a answer) {
	copyHeader(w.Header(), a.header)
	w.Header().Set("X-Amzn-Requestid", "faultproxy")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

// reset closes the client's connection with a TCP reset (linger 0), so the
// client sees "connection reset by peer" after sending its whole request.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// truncate sends the status line, the headers with the full length, and
// half the body, then closes the connection.
func truncate(w http.ResponseWriter, resp *http.Response, body []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	h := http.Header{}
	copyHeader(h, resp.Header)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Write(buf)
	buf.WriteString("\r\n")
	buf.Write(body[:len(body)/2])
	buf.Flush()
}
