package tokens

import (
	"encoding/base64"
	"fmt"
	"io"
	"time"
)

// session is one sign-in: what Refresh needs to reissue its tokens.
type session struct {
	user      User
	originJTI string
	eventID   string
	authTime  time.Time
	expires   time.Time
}

// sweep forgets sign-ins whose refresh token has expired and whose last
// access token has too, at most once a minute, so memory follows the live
// sign-ins; with no token left, their revocation can go too. Callers hold mu.
func (i *Issuer) sweep(now time.Time) {
	if now.Sub(i.swept) < time.Minute {
		return
	}
	i.swept = now
	for tok, s := range i.sessions {
		if !now.Before(s.expires.Add(i.validity)) {
			delete(i.sessions, tok)
			delete(i.revoked, s.originJTI)
		}
	}
}

// newSession draws s's ids, its tokens' claims and its refresh token.
func (i *Issuer) newSession(s *session, now time.Time) (unsigned, string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	var err error
	if s.originJTI, err = i.uuid(); err != nil {
		return unsigned{}, "", err
	}
	if s.eventID, err = i.uuid(); err != nil {
		return unsigned{}, "", err
	}
	c, err := i.claims(s, now)
	if err != nil {
		return unsigned{}, "", err
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(i.rand, raw); err != nil {
		return unsigned{}, "", fmt.Errorf("tokens: refresh token: %w", err)
	}
	return c, base64.RawURLEncoding.EncodeToString(raw), nil
}

// Refresh reissues the ID and access tokens of the sign-in refreshToken
// belongs to: new jti, iat and exp; the same origin_jti, event_id and
// auth_time. The result has no refresh token, as with Cognito.
func (i *Issuer) Refresh(refreshToken string) (AuthResult, error) {
	return i.RefreshAs(refreshToken, nil)
}

// RefreshAs is Refresh for a user who may have changed since signing in:
// current, when not nil, is asked for the user by username, and the new
// tokens carry what it returns, as Cognito's carry current attributes. An
// error from current (the user was deleted or disabled) fails the refresh
// before anything is signed.
func (i *Issuer) RefreshAs(refreshToken string, current func(username string) (User, error)) (AuthResult, error) {
	now := i.now()
	s, err := i.liveSession(refreshToken, now)
	if err != nil {
		return AuthResult{}, err
	}
	var user *User
	if current != nil {
		i.mu.Lock()
		name := s.user.Username
		i.mu.Unlock()
		u, err := current(name)
		if err != nil {
			return AuthResult{}, err
		}
		user = &u
	}
	i.mu.Lock()
	if user != nil {
		s.user = cloneUser(*user)
	}
	c, err := i.claims(s, now)
	i.mu.Unlock()
	if err != nil {
		return AuthResult{}, err
	}
	return i.sign(c)
}

// liveSession finds the sign-in of a refresh token that still works.
func (i *Issuer) liveSession(refreshToken string, now time.Time) (*session, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	s, ok := i.sessions[refreshToken]
	switch {
	case !ok:
		return nil, ErrInvalidRefreshToken
	case i.revoked[s.originJTI]:
		return nil, ErrRevoked
	case !now.Before(s.expires):
		return nil, ErrExpired
	}
	return s, nil
}

// Revoke invalidates refreshToken and every token of its origin (RevokeToken).
// Revoking a token twice is not an error; an unknown token is ErrInvalidRefreshToken.
func (i *Issuer) Revoke(refreshToken string) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	s, ok := i.sessions[refreshToken]
	if !ok {
		return ErrInvalidRefreshToken
	}
	i.revoked[s.originJTI] = true
	return nil
}

// RevokeAllFor revokes every sign-in of username (GlobalSignOut,
// AdminUserGlobalSignOut) and returns how many were still live.
func (i *Issuer) RevokeAllFor(username string) int {
	i.mu.Lock()
	defer i.mu.Unlock()
	n := 0
	for _, s := range i.sessions {
		if s.user.Username == username && !i.revoked[s.originJTI] {
			i.revoked[s.originJTI] = true
			n++
		}
	}
	return n
}

// IsRevoked reports whether the sign-in with this origin_jti was revoked.
func (i *Issuer) IsRevoked(originJTI string) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.revoked[originJTI]
}
