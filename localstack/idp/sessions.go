package idp

import (
	"encoding/base64"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// DefaultSessionValidity is Cognito's default AuthSessionValidity.
const DefaultSessionValidity = 3 * time.Minute

// authState is a sign-in between rounds: what the next
// RespondToAuthChallenge needs. Cognito keeps it inside its encrypted
// Session string; here the string is an opaque key to it.
type authState struct {
	clientID string
	// username is the internal username, or for an unknown user (with
	// PreventUserExistenceErrors) the name as typed.
	username string
	// shown is the USERNAME ChallengeParameters carry: the internal
	// username, or for an unknown user a made-up one of the same shape,
	// so the client cannot tell the two apart.
	shown    string
	notFound bool
	// standIn is an unknown user's attributes as a registered one would
	// have them, never sent: see standInCost.
	standIn   map[string]string
	challenge string // the challenge the client must answer
	private   map[string]string
	metadata  string
	results   []*events.CognitoEventUserPoolsChallengeResult
	expires   time.Time
}

// sessions holds live sign-ins. A session string is good for one
// RespondToAuthChallenge; a used one is remembered until it would have
// expired, so its reuse gets Cognito's own message.
type sessions struct {
	mu       sync.Mutex
	validity time.Duration
	now      func() time.Time
	rand     io.Reader
	live     map[string]*authState
	used     map[string]time.Time // session -> expiry
	swept    time.Time
}

func newSessions(validity time.Duration, now func() time.Time, random io.Reader) *sessions {
	return &sessions{validity: validity, now: now, rand: random, live: map[string]*authState{}, used: map[string]time.Time{}}
}

// open stores st and returns its session string.
func (s *sessions) open(st *authState) (string, error) {
	raw := make([]byte, 48)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.ReadFull(s.rand, raw); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	st.expires = s.now().Add(s.validity)
	s.live[id] = st
	s.sweep()
	return id, nil
}

// take removes and returns the session, or the error a client gets for a
// session that is unknown, expired or already used. check vets the request
// against the session first: a request it refuses leaves the session
// usable, as a malformed request does not spend a Cognito session.
func (s *sessions) take(id string, check func(*authState) *apiError) (*authState, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if _, ok := s.used[id]; ok {
		return nil, errorf(errNotAuthorized, msgSessionUsedOnce)
	}
	st, ok := s.live[id]
	if !ok || !now.Before(st.expires) {
		delete(s.live, id)
		return nil, errorf(errNotAuthorized, msgSessionExpired)
	}
	if aerr := check(st); aerr != nil {
		return nil, aerr
	}
	delete(s.live, id)
	s.used[id] = st.expires
	return st, nil
}

// sweep forgets expired sessions, at most every few seconds, so memory
// stays bounded by the sign-ins of one validity period. Called with mu held.
func (s *sessions) sweep() {
	now := s.now()
	if now.Sub(s.swept) < 5*time.Second {
		return
	}
	s.swept = now
	for id, st := range s.live {
		if !now.Before(st.expires) {
			delete(s.live, id)
		}
	}
	for id, exp := range s.used {
		if !now.Before(exp) {
			delete(s.used, id)
		}
	}
}
