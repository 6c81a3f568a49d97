package testenv

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Environment variables through which scripts/test hands over the servers it started.
const (
	DynamoDBEndpointEnv = "OTP_TEST_DYNAMODB_ENDPOINT"
	SQSEndpointEnv      = "OTP_TEST_SQS_ENDPOINT"
)

const (
	region = "us-east-1"
	// Local servers either answer or are broken; more attempts only slow a failing test down.
	retryMaxAttempts = 2
	// Generous because under a plain `go test ./...` several test binaries may
	// each be starting a JVM on a 2-core machine at once.
	startTimeout = 60 * time.Second
	installHint  = "run scripts/test once to install DynamoDB Local and fauxqs"
)

// DynamoDB returns a DynamoDB client for DynamoDB Local.
func DynamoDB(t testing.TB) *dynamodb.Client {
	t.Helper()
	return DynamoDBWith(t, nil)
}

// DynamoDBWith is DynamoDB with the given HTTP client (nil for the SDK's
// default), e.g. one whose Transport is a CountingTransport.
func DynamoDBWith(t testing.TB, hc *http.Client) *dynamodb.Client {
	t.Helper()
	opts := dynamodb.Options{
		Region:           region,
		BaseEndpoint:     aws.String(DynamoDBEndpoint(t)),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: retryMaxAttempts,
		// DynamoDB Local sends no x-amz-crc32 on its 400 replies, which makes the
		// SDK warn on every conditional-check failure.
		DisableValidateResponseChecksum: true,
	}
	if hc != nil {
		opts.HTTPClient = hc
	}
	return dynamodb.New(opts)
}

// SQS returns an SQS client for fauxqs.
func SQS(t testing.TB) *sqs.Client {
	t.Helper()
	return SQSWith(t, nil)
}

// SQSWith is SQS with the given HTTP client (nil for the SDK's default).
func SQSWith(t testing.TB, hc *http.Client) *sqs.Client {
	t.Helper()
	opts := sqs.Options{
		Region:           region,
		BaseEndpoint:     aws.String(SQSEndpoint(t)),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: retryMaxAttempts,
	}
	if hc != nil {
		opts.HTTPClient = hc
	}
	return sqs.New(opts)
}

// DynamoDBEndpoint returns DynamoDB Local's base URL, starting it if needed.
func DynamoDBEndpoint(t testing.TB) string {
	t.Helper()
	return dynamoDBServer.endpoint(t)
}

// SQSEndpoint returns fauxqs's base URL, starting it if needed.
func SQSEndpoint(t testing.TB) string {
	t.Helper()
	return sqsServer.endpoint(t)
}

// Main runs the tests and then stops any server this test binary started.
// Call it from TestMain in every package that uses testenv:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	stopAll()
	os.Exit(code)
}

// UniqueName returns prefix plus a random suffix, valid both as a DynamoDB
// table name and as an SQS queue name (letters, digits, '-' and '_'), and short
// enough that a ".fifo" suffix still fits SQS's 80-character limit. Since
// every test package shares one DynamoDB Local and one fauxqs, tests must not
// use fixed names.
func UniqueName(prefix string) string {
	const maxPrefix = 80 - len(".fifo") - 1 - 16
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, prefix)
	if clean == "" {
		clean = "t"
	}
	if len(clean) > maxPrefix {
		clean = clean[:maxPrefix]
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return clean + "-" + hex.EncodeToString(b[:])
}

// CountingTransport is an http.RoundTripper that counts the requests it
// sends, so benchmarks and tests can assert how many calls an operation costs.
// Retries are separate requests and are counted.
type CountingTransport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	n    atomic.Int64
}

// RoundTrip counts req and sends it with Base.
func (c *CountingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	base := c.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// Count returns the number of requests sent since creation or the last Reset.
func (c *CountingTransport) Count() int64 { return c.n.Load() }

// Reset sets the count to zero.
func (c *CountingTransport) Reset() { c.n.Store(0) }

// Client returns an *http.Client that sends through c.
func (c *CountingTransport) Client() *http.Client { return &http.Client{Transport: c} }

// --- servers started by the test binary itself --------------------------------

// server is one local stand-in, taken from the environment or started at
// most once per test binary.
type server struct {
	name      string
	env       string
	readyPath string
	// command returns the command that serves on port, given the module root.
	command func(root string, port int) (*exec.Cmd, error)

	once sync.Once
	url  string
	err  error
	proc *process
}

var (
	dynamoDBServer = &server{
		name:      "DynamoDB Local",
		env:       DynamoDBEndpointEnv,
		readyPath: "/",
		command: func(root string, port int) (*exec.Cmd, error) {
			dir := filepath.Join(root, ".cache", "dynamodb-local", "package", "aws_dynamodb_local")
			if _, err := os.Stat(filepath.Join(dir, "DynamoDBLocal.jar")); err != nil {
				return nil, fmt.Errorf("DynamoDB Local is not installed in %s: %s", dir, installHint)
			}
			java, err := exec.LookPath("java")
			if err != nil {
				return nil, fmt.Errorf("DynamoDB Local needs java, which is not on PATH: %s", installHint)
			}
			cmd := exec.Command(java, "-Xmx256m", "-Djava.library.path=./DynamoDBLocal_lib",
				"-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb", "-port", strconv.Itoa(port))
			cmd.Dir = dir
			return cmd, nil
		},
	}
	sqsServer = &server{
		name:      "fauxqs",
		env:       SQSEndpointEnv,
		readyPath: "/health",
		command: func(root string, port int) (*exec.Cmd, error) {
			cli := filepath.Join(root, ".cache", "fauxqs", "node_modules", "fauxqs", "dist", "cli.js")
			if _, err := os.Stat(cli); err != nil {
				return nil, fmt.Errorf("fauxqs is not installed at %s: %s", cli, installHint)
			}
			node, err := exec.LookPath("node")
			if err != nil {
				return nil, fmt.Errorf("fauxqs needs node, which is not on PATH: %s", installHint)
			}
			cmd := exec.Command(node, cli)
			cmd.Env = append(os.Environ(), "FAUXQS_PORT="+strconv.Itoa(port), "FAUXQS_HOST=127.0.0.1")
			return cmd, nil
		},
	}
	servers = []*server{dynamoDBServer, sqsServer}
)

func (s *server) endpoint(t testing.TB) string {
	t.Helper()
	s.once.Do(func() {
		if v := os.Getenv(s.env); v != "" {
			s.url = strings.TrimRight(v, "/")
			return
		}
		s.url, s.proc, s.err = s.start()
	})
	if s.err != nil {
		t.Fatalf("testenv: %v", s.err)
	}
	return s.url
}

func (s *server) start() (string, *process, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", nil, err
	}
	logDir := filepath.Join(root, ".cache", "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", logDir, err)
	}
	// The free port is released before the server binds it, so another process
	// can take it in between; a fresh port usually cures that.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return "", nil, err
		}
		cmd, err := s.command(root, port)
		if err != nil {
			return "", nil, err
		}
		url := "http://127.0.0.1:" + strconv.Itoa(port)
		p, err := startProcess(cmd, logDir, s.name)
		if err != nil {
			return "", nil, err
		}
		err = waitReady(url+s.readyPath, p)
		if err == nil {
			return url, p, nil
		}
		lostRace := p.exited()
		p.stop(true)
		lastErr = fmt.Errorf("start %s on port %d: %w; log: %s\n%s", s.name, port, err, p.logPath, tail(p.logPath, 20))
		if !lostRace {
			break // a timeout, not a lost port race: retrying would only repeat it
		}
	}
	return "", nil, lastErr
}

func stopAll() {
	for _, s := range servers {
		if s.proc != nil {
			s.proc.stop(false)
			s.proc = nil
		}
	}
}

// process is a server running under a small sh wrapper that kills it when
// the test binary's end of a pipe closes. That way a test binary that dies
// without reaching Main's cleanup (panic, timeout, no TestMain) still leaves
// no JVM behind, without platform-specific process attributes.
type process struct {
	cmd     *exec.Cmd
	keep    *os.File // write end of the lifeline pipe; closing it stops the server
	logPath string
	done    chan struct{}
}

// The server gets its own copy of fd 3 closed, so only the watcher holds the
// lifeline. sh exits when the server does, which Go sees as the wrapper exiting.
const wrapper = `"$@" 3<&- & pid=$!
(read -r _ <&3; kill "$pid" 2>/dev/null) &
wait "$pid"`

func startProcess(cmd *exec.Cmd, logDir, name string) (*process, error) {
	logFile, err := os.CreateTemp(logDir, strings.ReplaceAll(strings.ToLower(name), " ", "-")+"-*.log")
	if err != nil {
		return nil, fmt.Errorf("create log file for %s: %w", name, err)
	}
	defer logFile.Close() // the child has its own copy

	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create lifeline pipe for %s: %w", name, err)
	}
	defer r.Close()

	// cmd.Args[0] is already a resolved path: the commands are built from LookPath.
	wrapped := exec.Command("sh", append([]string{"-c", wrapper, "sh"}, cmd.Args...)...)
	wrapped.Dir = cmd.Dir
	wrapped.Env = cmd.Env
	wrapped.Stdout = logFile
	wrapped.Stderr = logFile
	wrapped.ExtraFiles = []*os.File{r} // fd 3
	if err := wrapped.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{cmd: wrapped, keep: w, logPath: logFile.Name(), done: make(chan struct{})}
	go func() {
		_ = wrapped.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the server and waits for it. The log of a server that served is
// noise and is removed; keepLog keeps it when it is what explains a failure.
func (p *process) stop(keepLog bool) {
	keepLog = keepLog || p.exited() // died on its own
	p.keep.Close()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	if !keepLog {
		_ = os.Remove(p.logPath)
	}
}

func waitReady(url string, p *process) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			return nil // any HTTP answer means the server is serving
		}
		if p.exited() {
			return errors.New("server exited during startup")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s: %w", startTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// moduleRoot walks up from the working directory (a package directory under
// go test) to the directory holding go.mod, where .cache/ lives.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find module root: no go.mod above the working directory: %s", installHint)
		}
		dir = parent
	}
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
