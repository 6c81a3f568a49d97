package localstack

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
)

// ServerLimits bound what one client can hold of the local pool's server:
// a client that trickles a request, keeps a connection idle or opens
// connections by the hundred is dropped or made to wait, not served forever.
type ServerLimits struct {
	// ReadTimeout bounds reading a whole request, headers and body
	// (default 10 s); headers alone get the same bound.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from its headers to the end of the
	// answer (default 60 s): room for Verify, Define and Create each
	// running their three 5 s attempts.
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection with no request (default 60 s).
	IdleTimeout time.Duration
	// MaxConns is how many connections are served at once (default 256);
	// more wait to be accepted.
	MaxConns int
	// MaxBody bounds a request body (default 1 MiB, the API's own bound).
	MaxBody int64
}

func (l ServerLimits) withDefaults() ServerLimits {
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = 10 * time.Second
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = time.Minute
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = time.Minute
	}
	if l.MaxConns <= 0 {
		l.MaxConns = 256
	}
	if l.MaxBody <= 0 {
		l.MaxBody = 1 << 20
	}
	return l
}

// server wraps handler in an http.Server with the limits.
func (l ServerLimits) server(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           http.MaxBytesHandler(refuseDeclared(handler, l.MaxBody), l.MaxBody),
		ReadHeaderTimeout: l.ReadTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// limitListener accepts at most cap(slots) connections at a time; the
// next waits in the kernel's backlog until one closes.
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once
}

func limitConns(ln net.Listener, n int) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// refuseDeclared answers a request whose Content-Length is over the limit
// at once, in Cognito's error shape, and closes the connection: waiting to
// read a body that will be refused anyway let a client that declared 10 MB
// and sent nothing hold the request for the whole read timeout (issue 13).
// A body that does not declare its length is cut at the limit by
// http.MaxBytesHandler and refused by cognitowire.ReadBody.
func refuseDeclared(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			cognitowire.WriteError(w, cognitowire.Errorf(cognitowire.ErrSerialization,
				"request body of %d bytes is over %d bytes", r.ContentLength, limit))
			return
		}
		next.ServeHTTP(w, r)
	})
}
