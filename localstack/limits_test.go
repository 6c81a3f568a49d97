package localstack_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
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
	c, err := net.Dial("tcp", host)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n"+
		"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n", host, size)
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
		if _, err := c.Write([]byte(" ")); err != nil {
			return nil // the server is gone
		}
	}
	return fmt.Errorf("the server kept a trickling request open for %v, the whole body", time.Since(start).Round(time.Millisecond))
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
