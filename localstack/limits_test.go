package localstack_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

func limits(l localstack.ServerLimits) func(*localstack.Options) {
	return func(o *localstack.Options) { o.Limits = l }
}

func hostOf(t *testing.T, l *local) string {
	t.Helper()
	return strings.TrimPrefix(l.stack.URL(), "http://")
}

// Finding 5 of the adversarial run: only a header timeout was set, and 300
// connections trickling a body stayed open past 40 s. Now a request must be
// read whole within the read timeout: clients sending a byte every 50 ms
// are dropped long before their 100-byte bodies end.
func TestSlowClientsAreDropped(t *testing.T) {
	l := start(t, backends[0], nil, limits(localstack.ServerLimits{ReadTimeout: 300 * time.Millisecond}))
	const clients = 5
	results := make(chan error, clients)
	for range clients {
		go func() { results <- trickle(hostOf(t, l), 100, 50*time.Millisecond) }()
	}
	for range clients {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
}

// trickle sends a request whose body comes a byte at a time, and reports an
// error unless the server ends the connection before the body is done.
func trickle(host string, size int, every time.Duration) error {
	head := fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n"+
		"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n", host, size)
	return trickleAfter(host, head, " ", size, every, "a trickling request")
}

// trickleHeaders sends a request line and then header bytes one at a time,
// and reports an error unless the server ends the connection first.
func trickleHeaders(host string, size int, every time.Duration) error {
	return trickleAfter(host, fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nX-Slow: ", host), "a", size, every, "a request with trickling headers")
}

// trickleAfter sends head, then b every interval, size times, and reports
// an error unless the server closes the connection first.
func trickleAfter(host, head, b string, size int, every time.Duration, what string) error {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := io.WriteString(c, head); err != nil {
		return err
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_, _ = io.Copy(io.Discard, c) // returns when the server closes
	}()
	start := time.Now()
	for range size {
		select {
		case <-closed:
			return nil
		case <-time.After(every):
		}
		if _, err := io.WriteString(c, b); err != nil {
			return nil // the server is gone
		}
	}
	return fmt.Errorf("the server kept %s open for %v, to its end", what, time.Since(start).Round(time.Millisecond))
}

// Connections beyond MaxConns wait to be accepted: with both slots held by
// clients that send nothing, a request is not answered until one leaves.
func TestConnectionsAreBounded(t *testing.T) {
	l := start(t, backends[0], nil, limits(localstack.ServerLimits{MaxConns: 2}))
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", hostOf(t, l))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	answered := make(chan error, 1)
	go func() {
		res, err := (&http.Client{Timeout: 30 * time.Second}).Get(l.stack.URL() + "/")
		if err == nil {
			res.Body.Close()
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a third connection was served while two were held (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	if err := <-answered; err != nil {
		t.Fatalf("the waiting request failed once a slot was free: %v", err)
	}
}

// A body over the limit is refused, not read to its end.
func TestBodyOverTheLimit(t *testing.T) {
	l := start(t, backends[0], nil, limits(localstack.ServerLimits{MaxBody: 1 << 10}))
	body := `{"ClientId":"` + l.stack.ClientID() + `","Username":"` + strings.Repeat("9", 2<<10) + `"}`
	req, err := http.NewRequest(http.MethodPost, l.stack.URL()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	line, _ := bufio.NewReader(res.Body).ReadString(0)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(line, "SerializationException") {
		t.Errorf("oversized body: %d %s, want 400 SerializationException", res.StatusCode, line)
	}
}

// Issue 13, item 5, with the default limits: a 10 MB body of undeclared
// length is refused with Cognito's error shape once the server has read
// its 1 MiB limit, before the client has sent it all.
func TestTenMegabyteBodyIsRefusedEarly(t *testing.T) {
	l := start(t, backends[0], nil)
	const size = 10 << 20
	body := &countingReader{r: io.MultiReader(
		strings.NewReader(`{"ClientId":"`+l.stack.ClientID()+`","Username":"`),
		io.LimitReader(repeatReader('9'), size))}
	req, err := http.NewRequest(http.MethodPost, l.stack.URL()+"/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1 // chunked: the server cannot refuse on the header alone
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	t0 := time.Now()
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("10 MB body: %v (want a 400 answer)", err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	t.Logf("10 MB body: %d %s after %v, %d bytes sent", res.StatusCode, got, time.Since(t0).Round(time.Millisecond), body.n.Load())
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(got), `"__type":"SerializationException"`) {
		t.Errorf("10 MB body: %d %s, want 400 SerializationException", res.StatusCode, got)
	}
	// What the client wrote includes what the kernel buffered for a
	// server that had stopped reading: the point is that it is not all.
	if n := body.n.Load(); n >= size {
		t.Errorf("the client had to send all of a 10 MB body (%d bytes) before the refusal", n)
	}
}

// A declared 10 MB body is refused on its Content-Length, before any of it
// is read: it used to wait for the body until the read timeout (here a
// minute, so a refusal within the client's 30 s can only be the early one).
func TestDeclaredTenMegabyteBodyIsRefusedUnread(t *testing.T) {
	l := start(t, backends[0], nil, limits(localstack.ServerLimits{ReadTimeout: time.Minute}))
	c, err := net.Dial("tcp", hostOf(t, l))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n"+
		"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n", hostOf(t, l), 10<<20)
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a declared 10 MB body before any of it was sent: %v", err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(got), `"__type":"SerializationException"`) {
		t.Errorf("declared 10 MB body: %d %s, want 400 SerializationException", res.StatusCode, got)
	}
}

// Slow clients cannot hold the server: while some trickle a body and some
// trickle their headers, with the default limits but a short read timeout,
// a normal request is answered and every slow client is dropped.
func TestSlowClientsDoNotHoldTheServer(t *testing.T) {
	l := start(t, backends[0], nil, limits(localstack.ServerLimits{ReadTimeout: 500 * time.Millisecond}))
	host := hostOf(t, l)
	slow := make(chan error, 20)
	for i := range 20 {
		if i%2 == 0 {
			go func() { slow <- trickle(host, 200, 50*time.Millisecond) }()
		} else {
			go func() { slow <- trickleHeaders(host, 200, 50*time.Millisecond) }()
		}
	}
	res, err := (&http.Client{Timeout: 30 * time.Second}).Get(l.stack.URL() + "/")
	if err != nil {
		t.Fatalf("a normal request while 20 clients trickle: %v", err)
	}
	res.Body.Close()
	for range 20 {
		if err := <-slow; err != nil {
			t.Error(err)
		}
	}
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type repeatReader byte

func (b repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
