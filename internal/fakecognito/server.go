package fakecognito

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
)

// Pool is the configuration of one in-memory user pool.
type Pool struct {
	ID   string
	Name string
	// Recovery is the pool's AccountRecoverySetting. Nil means the pool has
	// none, and DescribeUserPool leaves the member out.
	Recovery []Recovery
	Clients  []AppClient
	Users    []User
}

// Recovery is one RecoveryOptionType: verified_email, verified_phone_number
// or admin_only, with its priority (1 is highest).
type Recovery struct {
	Name     string
	Priority int32
}

// AppClient is a user pool app client. An empty ExplicitAuthFlows is sent as
// an absent member, as Cognito does for a client created without one.
type AppClient struct {
	ID                string
	Name              string
	ExplicitAuthFlows []string
}

// User is a user profile in a pool.
type User struct {
	Username string
	// Attributes by name, e.g. "phone_number": "+15555550123". Responses list
	// them sorted by name.
	Attributes map[string]string
	// Status is a UserStatusType such as "UNCONFIRMED"; empty means
	// "CONFIRMED".
	Status   string
	Disabled bool
	// Created is UserCreateDate; zero means the server clock at AddPool.
	Created time.Time
	// Modified is UserLastModifiedDate, kept up to date by the fake.
	Modified time.Time
}

// Call is one request the server received, in arrival order.
type Call struct {
	Operation string          // from X-Amz-Target, without the service prefix
	Body      json.RawMessage // the request body as sent
}

// Param returns the top-level string member name of the request body, or ""
// if it is absent or not a string.
func (c Call) Param(name string) string {
	var m map[string]any
	if json.Unmarshal(c.Body, &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

// Option configures a Server.
type Option func(*Server)

// WithPageSize caps every page of ListUsers and ListUserPoolClients at n
// items, whatever Limit or MaxResults asks for, so tests can cross page
// boundaries with a few items.
func WithPageSize(n int) Option {
	return func(s *Server) { s.pageSize = n }
}

// Server is the fake. It is an http.Handler; New also serves it on a local
// httptest server that the test's cleanup closes.
type Server struct {
	// URL is the base URL of the running server, for BaseEndpoint.
	URL string

	srv      *httptest.Server
	pageSize int
	now      func() time.Time

	mu     sync.Mutex
	pools  map[string]*pool
	calls  []Call
	nextID int
}

type pool struct {
	cfg     Pool
	created time.Time
	users   []*User // in insertion order; ListUsers pages through it
}

// New starts a fake server and registers its shutdown with t.Cleanup.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{pageSize: cognitowire.MaxPage, now: time.Now, pools: map[string]*pool{}}
	for _, o := range opts {
		o(s)
	}
	if s.pageSize < 1 || s.pageSize > cognitowire.MaxPage {
		t.Fatalf("fakecognito: page size %d outside 1..%d", s.pageSize, cognitowire.MaxPage)
	}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Client returns a real Cognito Identity Provider client pointed at the
// server (AWSConfig).
func (s *Server) Client() *cognitoidentityprovider.Client {
	return cognitoidentityprovider.NewFromConfig(s.AWSConfig())
}

// AWSConfig points a client at the server (testutil.AWSConfig): the SDK's
// (Client), or internal/awsjson's.
func (s *Server) AWSConfig() aws.Config { return testutil.AWSConfig(s.srv) }

// AddPool adds a pool, replacing any pool with the same ID.
func (s *Server) AddPool(p Pool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	np := &pool{cfg: p, created: now}
	np.cfg.Users = nil
	for _, u := range p.Users {
		u := copyUser(u)
		if u.Status == "" {
			u.Status = "CONFIRMED"
		}
		if u.Created.IsZero() {
			u.Created = now
		}
		if u.Modified.IsZero() {
			u.Modified = u.Created
		}
		np.users = append(np.users, &u)
	}
	s.pools[p.ID] = np
}

// User returns a copy of a user's current state.
func (s *Server) User(poolID, username string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		return User{}, false
	}
	u := p.user(username)
	if u == nil {
		return User{}, false
	}
	return copyUser(*u), true
}

// Calls returns every request received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the requests received so far for one operation.
func (s *Server) CallsTo(operation string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Operation == operation {
			out = append(out, c)
		}
	}
	return out
}

func copyUser(u User) User {
	attrs := make(map[string]string, len(u.Attributes))
	for k, v := range u.Attributes {
		attrs[k] = v
	}
	u.Attributes = attrs
	return u
}

func (p *pool) user(username string) *User {
	for _, u := range p.users {
		if u.Username == username {
			return u
		}
	}
	return nil
}

var operations = cognitowire.Operations[*Server]{
	"AdminUpdateUserAttributes": cognitowire.Op((*Server).adminUpdateUserAttributes),
	"AdminConfirmSignUp":        cognitowire.Op((*Server).adminConfirmSignUp),
	"DescribeUserPool":          cognitowire.Op((*Server).describeUserPool),
	"ListUserPoolClients":       cognitowire.Op((*Server).listUserPoolClients),
	"DescribeUserPoolClient":    cognitowire.Op((*Server).describeUserPoolClient),
	"ListUsers":                 cognitowire.Op((*Server).listUsers),
}

// ServeHTTP implements the AWS JSON 1.1 protocol: POST / with X-Amz-Target
// naming the operation and a JSON body; 200 with a JSON body, or 400 with
// {"__type": ..., "message": ...}. Every request is recorded, failed ones
// too, and operations run one at a time.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	w.Header().Set("x-amzn-RequestId", fmt.Sprintf("fake-%08d", s.nextID))
	body, aerr := cognitowire.ReadBody(r)
	s.calls = append(s.calls, Call{
		Operation: strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cognitowire.TargetPrefix),
		Body:      json.RawMessage(body),
	})
	out, aerr := s.serve(r, body, aerr)
	if aerr == nil {
		aerr = cognitowire.WriteResult(w, out)
	}
	if aerr != nil {
		cognitowire.WriteError(w, aerr)
	}
}

func (s *Server) serve(r *http.Request, body []byte, aerr *cognitowire.Error) (any, *cognitowire.Error) {
	if aerr != nil {
		return nil, aerr
	}
	op, aerr := operations.Target(r, "the fake")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := cognitowire.CheckContentType(r); aerr != nil {
		return nil, aerr
	}
	return operations.Call(s, r.Context(), op, body)
}
