package faultproxy

import "sync"

// Gate holds the first request it matches until Release, then forwards it
// whether or not the client still waits, as a server goes on with a
// request it has received: a test orders that request after what the
// client did once it gave up on it (a write that lands after the void
// meant to stop it).
type Gate struct {
	match func(op string, body []byte) bool

	mu      sync.Mutex
	taken   bool
	held    chan struct{}
	release chan struct{}
	done    chan struct{}
	once    sync.Once
	status  int // the server's answer to the released request
}

// NewGate returns a gate for the first request match accepts; give it to
// the proxy as Config.Hold.
func NewGate(match func(op string, body []byte) bool) *Gate {
	return &Gate{match: match, held: make(chan struct{}), release: make(chan struct{}), done: make(chan struct{})}
}

// Held is closed once the request has reached the proxy and is held.
func (g *Gate) Held() <-chan struct{} { return g.held }

// Release lets the held request (or the next one matched) go on to the
// server; the proxy also releases it when the test ends.
func (g *Gate) Release() { g.once.Do(func() { close(g.release) }) }

// Done is closed once the server has answered the released request.
func (g *Gate) Done() <-chan struct{} { return g.done }

// Status is the HTTP status the server answered the released request
// with (0 if it could not be reached); read it after Done.
func (g *Gate) Status() int {
	<-g.done
	return g.status
}

// take reports whether this request is the one to hold.
func (g *Gate) take(op string, body []byte) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.taken || !g.match(op, body) {
		return false
	}
	g.taken = true
	close(g.held)
	return true
}
