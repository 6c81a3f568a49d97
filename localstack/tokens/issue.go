package tokens

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/internal/uuid"
)

// Scope is the scope Cognito puts in access tokens issued by its user pools
// API (InitiateAuth, RespondToAuthChallenge); GetUser and the other
// self-service operations require it.
const Scope = "aws.cognito.signin.user.admin"

const (
	defaultTokenValidity   = time.Hour           // Cognito's default for ID and access tokens
	defaultRefreshValidity = 30 * 24 * time.Hour // Cognito's default for refresh tokens
)

var (
	// ErrInvalidToken: the JWT is malformed, not signed by this issuer's key,
	// or not an access token of this pool.
	ErrInvalidToken = errors.New("invalid token")
	// ErrExpired: the token (access or refresh) is past its expiry.
	ErrExpired = errors.New("token expired")
	// ErrRevoked: the token belongs to a sign-in that was revoked
	// (RevokeToken or GlobalSignOut).
	ErrRevoked = errors.New("token revoked")
	// ErrInvalidRefreshToken: the refresh token was never issued by this issuer.
	ErrInvalidRefreshToken = errors.New("invalid refresh token")
)

// User is who the tokens are for. Attributes are the user pool attributes
// (phone_number, phone_number_verified, custom:..., ...) as Cognito stores
// them: strings. They become ID token claims; "*_verified" attributes are
// written as booleans, as Cognito does.
type User struct {
	Sub        string
	Username   string
	Attributes map[string]string
}

// AuthResult is the tokens of Cognito's AuthenticationResult. RefreshToken
// is empty when they come from Refresh, as with Cognito's
// REFRESH_TOKEN_AUTH.
type AuthResult struct {
	IDToken      string
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
}

// Option changes a default of NewIssuer.
type Option func(*Issuer)

// WithTokenValidity sets how long ID and access tokens live (default one hour).
func WithTokenValidity(d time.Duration) Option { return func(i *Issuer) { i.validity = d } }

// WithIDTokenValidity sets how long ID tokens live, when an app client's
// IdTokenValidity differs from its AccessTokenValidity (default: as access
// tokens). ExpiresIn stays the access token's.
func WithIDTokenValidity(d time.Duration) Option { return func(i *Issuer) { i.idValidity = d } }

// WithRefreshTokenValidity sets how long refresh tokens live (default 30 days).
func WithRefreshTokenValidity(d time.Duration) Option {
	return func(i *Issuer) { i.refreshValidity = d }
}

// Issuer signs the tokens of one user pool app client and remembers its
// refresh tokens. It is safe for concurrent use.
type Issuer struct {
	issuer          string // e.g. http://127.0.0.1:9229/us-east-1_Abc
	clientID        string
	key             *rsa.PrivateKey
	kid             string
	now             func() time.Time
	validity        time.Duration
	idValidity      time.Duration
	refreshValidity time.Duration
	jwks            []byte
	openID          []byte

	mu       sync.Mutex
	rand     io.Reader           // guarded by mu: readers need not be goroutine-safe
	sessions map[string]*session // by refresh token
	revoked  map[string]bool     // by origin_jti
	swept    time.Time
}

// NewIssuer returns an Issuer for the pool whose issuer URL is issuer (the
// endpoint followed by the pool id, as in iss claims) and for the app client
// clientID. now and random default to time.Now and crypto/rand.Reader when nil.
func NewIssuer(issuer, clientID string, key *rsa.PrivateKey, now func() time.Time, random io.Reader, opts ...Option) (*Issuer, error) {
	issuer = strings.TrimSuffix(issuer, "/")
	if _, err := poolPath(issuer); err != nil {
		return nil, err
	}
	if clientID == "" {
		return nil, errors.New("tokens: client id is empty")
	}
	if key == nil {
		return nil, errors.New("tokens: signing key is nil")
	}
	if key.N.BitLen() < 2048 {
		return nil, fmt.Errorf("tokens: signing key has %d bits, want at least 2048", key.N.BitLen())
	}
	if now == nil {
		now = time.Now
	}
	if random == nil {
		random = rand.Reader
	}
	kid, err := keyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	i := &Issuer{
		issuer:          issuer,
		clientID:        clientID,
		key:             key,
		kid:             kid,
		now:             now,
		validity:        defaultTokenValidity,
		refreshValidity: defaultRefreshValidity,
		rand:            random,
		sessions:        map[string]*session{},
		revoked:         map[string]bool{},
	}
	for _, o := range opts {
		o(i)
	}
	if i.idValidity == 0 {
		i.idValidity = i.validity
	}
	if i.validity < time.Second || i.idValidity < time.Second || i.refreshValidity < time.Second {
		return nil, errors.New("tokens: token validity must be at least one second")
	}
	if i.jwks, err = jwksDocument(i.kid, &key.PublicKey); err != nil {
		return nil, err
	}
	if i.openID, err = openIDDocument(issuer); err != nil {
		return nil, err
	}
	return i, nil
}

// KeyID returns the kid of the signing key, as found in token headers and the JWKS.
func (i *Issuer) KeyID() string { return i.kid }

// Issue signs in user: it returns new ID, access and refresh tokens of a new
// origin (origin_jti). authTime is when the user authenticated; zero means now.
func (i *Issuer) Issue(user User, authTime time.Time) (AuthResult, error) {
	if user.Sub == "" || user.Username == "" {
		return AuthResult{}, errors.New("tokens: user needs a sub and a username")
	}
	now := i.now()
	if authTime.IsZero() {
		authTime = now
	}
	s := &session{user: cloneUser(user), authTime: authTime, expires: now.Add(i.refreshValidity)}
	c, refresh, err := i.newSession(s, now)
	if err != nil {
		return AuthResult{}, err
	}
	// Signing takes milliseconds: outside the lock, sign-ins run in parallel.
	t, err := i.sign(c)
	if err != nil {
		return AuthResult{}, err
	}
	i.mu.Lock()
	i.sessions[refresh] = s
	i.sweep(now)
	i.mu.Unlock()
	t.RefreshToken = refresh
	return t, nil
}

// unsigned is the claims of an ID and an access token.
type unsigned struct {
	id     map[string]any
	access Claims
}

// claims makes the claims of s's tokens issued at now. Callers hold mu.
func (i *Issuer) claims(s *session, now time.Time) (unsigned, error) {
	idJTI, err := i.uuid()
	if err != nil {
		return unsigned{}, err
	}
	accessJTI, err := i.uuid()
	if err != nil {
		return unsigned{}, err
	}
	iat, exp, idExp := now.Unix(), now.Add(i.validity).Unix(), now.Add(i.idValidity).Unix()

	id := map[string]any{}
	for k, v := range s.user.Attributes {
		id[k] = attributeClaim(k, v)
	}
	for k, v := range map[string]any{
		"sub":              s.user.Sub,
		"iss":              i.issuer,
		"aud":              i.clientID,
		"cognito:username": s.user.Username,
		"origin_jti":       s.originJTI,
		"event_id":         s.eventID,
		"token_use":        "id",
		"auth_time":        s.authTime.Unix(),
		"iat":              iat,
		"exp":              idExp,
		"jti":              idJTI,
	} {
		id[k] = v // the token's own claims win over attributes of the same name
	}
	access := Claims{
		Sub:       s.user.Sub,
		Issuer:    i.issuer,
		ClientID:  i.clientID,
		OriginJTI: s.originJTI,
		EventID:   s.eventID,
		TokenUse:  "access",
		Scope:     Scope,
		AuthTime:  s.authTime.Unix(),
		ExpiresAt: exp,
		IssuedAt:  iat,
		JTI:       accessJTI,
		Username:  s.user.Username,
	}
	return unsigned{id: id, access: access}, nil
}

// sign signs the tokens; it needs no lock.
func (i *Issuer) sign(c unsigned) (AuthResult, error) {
	idToken, err := i.signJWT(c.id)
	if err != nil {
		return AuthResult{}, fmt.Errorf("tokens: sign id token: %w", err)
	}
	accessToken, err := i.signJWT(c.access)
	if err != nil {
		return AuthResult{}, fmt.Errorf("tokens: sign access token: %w", err)
	}
	return AuthResult{IDToken: idToken, AccessToken: accessToken, ExpiresIn: int(i.validity / time.Second)}, nil
}

// attributeClaim types a user attribute as Cognito does in ID tokens.
func attributeClaim(name, value string) any {
	switch {
	case strings.HasSuffix(name, "_verified"):
		return value == "true"
	case name == "updated_at":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return n
		}
	}
	return value
}

// uuid returns a UUID read from i.rand, the form of Cognito's jti,
// origin_jti and event_id. Callers hold mu.
func (i *Issuer) uuid() (string, error) {
	id, err := uuid.New(i.rand)
	if err != nil {
		return "", fmt.Errorf("tokens: %w", err)
	}
	return id, nil
}

func cloneUser(u User) User {
	attrs := make(map[string]string, len(u.Attributes))
	for k, v := range u.Attributes {
		attrs[k] = v
	}
	u.Attributes = attrs
	return u
}

// poolPath returns the path of the issuer URL (/{poolId}), under which the
// well-known documents are served.
func poolPath(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return "", fmt.Errorf("tokens: issuer %q: %w", issuer, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("tokens: issuer %q: want http(s)://host/{poolId}", issuer)
	}
	if u.Path == "" || u.Path == "/" || strings.HasSuffix(u.Path, "/") {
		return "", fmt.Errorf("tokens: issuer %q: no pool id in the path", issuer)
	}
	return u.Path, nil
}
