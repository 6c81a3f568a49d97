package tokens

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
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

// Tokens is an AuthenticationResult's tokens. RefreshToken is empty when the
// tokens come from Refresh, as with Cognito's REFRESH_TOKEN_AUTH.
type Tokens struct {
	IDToken      string
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
}

// Claims are the claims of an access token, in the order Cognito writes them.
// Times are Unix seconds.
type Claims struct {
	Sub       string `json:"sub"`
	Issuer    string `json:"iss"`
	ClientID  string `json:"client_id"`
	OriginJTI string `json:"origin_jti"`
	EventID   string `json:"event_id"`
	TokenUse  string `json:"token_use"`
	Scope     string `json:"scope"`
	AuthTime  int64  `json:"auth_time"`
	ExpiresAt int64  `json:"exp"`
	IssuedAt  int64  `json:"iat"`
	JTI       string `json:"jti"`
	Username  string `json:"username"`
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

// session is one sign-in: what Refresh needs to reissue its tokens.
type session struct {
	user      User
	originJTI string
	eventID   string
	authTime  time.Time
	expires   time.Time
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
func (i *Issuer) Issue(user User, authTime time.Time) (Tokens, error) {
	if user.Sub == "" || user.Username == "" {
		return Tokens{}, errors.New("tokens: user needs a sub and a username")
	}
	now := i.now()
	if authTime.IsZero() {
		authTime = now
	}
	s := &session{user: cloneUser(user), authTime: authTime, expires: now.Add(i.refreshValidity)}
	c, refresh, err := i.newSession(s, now)
	if err != nil {
		return Tokens{}, err
	}
	// Signing takes milliseconds: outside the lock, sign-ins run in parallel.
	t, err := i.sign(c)
	if err != nil {
		return Tokens{}, err
	}
	i.mu.Lock()
	i.sessions[refresh] = s
	i.sweep(now)
	i.mu.Unlock()
	t.RefreshToken = refresh
	return t, nil
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
func (i *Issuer) Refresh(refreshToken string) (Tokens, error) {
	return i.RefreshAs(refreshToken, nil)
}

// RefreshAs is Refresh for a user who may have changed since signing in:
// current, when not nil, is asked for the user by username, and the new
// tokens carry what it returns, as Cognito's carry current attributes. An
// error from current (the user was deleted or disabled) fails the refresh
// before anything is signed.
func (i *Issuer) RefreshAs(refreshToken string, current func(username string) (User, error)) (Tokens, error) {
	now := i.now()
	s, err := i.liveSession(refreshToken, now)
	if err != nil {
		return Tokens{}, err
	}
	var user *User
	if current != nil {
		i.mu.Lock()
		name := s.user.Username
		i.mu.Unlock()
		u, err := current(name)
		if err != nil {
			return Tokens{}, err
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
		return Tokens{}, err
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

// VerifyAccessToken checks tok as GetUser would: an RS256 JWT signed by this
// issuer's key (kid), iss of this pool, token_use "access", not expired
// (ErrExpired), not revoked (ErrRevoked). Anything else is ErrInvalidToken.
func (i *Issuer) VerifyAccessToken(tok string) (Claims, error) {
	payload, err := i.verifySignature(tok)
	if err != nil {
		return Claims{}, err
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Claims{}, fmt.Errorf("%w: payload: %v", ErrInvalidToken, err)
	}
	switch {
	case c.Issuer != i.issuer:
		return Claims{}, fmt.Errorf("%w: iss %q", ErrInvalidToken, c.Issuer)
	case c.TokenUse != "access":
		return Claims{}, fmt.Errorf("%w: token_use %q", ErrInvalidToken, c.TokenUse)
	case c.OriginJTI == "" || c.Sub == "" || c.Username == "":
		return Claims{}, fmt.Errorf("%w: missing claims", ErrInvalidToken)
	case i.now().Unix() >= c.ExpiresAt:
		return Claims{}, ErrExpired
	case i.IsRevoked(c.OriginJTI):
		return Claims{}, ErrRevoked
	}
	return c, nil
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
func (i *Issuer) sign(c unsigned) (Tokens, error) {
	idToken, err := i.signJWT(c.id)
	if err != nil {
		return Tokens{}, fmt.Errorf("tokens: sign id token: %w", err)
	}
	accessToken, err := i.signJWT(c.access)
	if err != nil {
		return Tokens{}, fmt.Errorf("tokens: sign access token: %w", err)
	}
	return Tokens{IDToken: idToken, AccessToken: accessToken, ExpiresIn: int(i.validity / time.Second)}, nil
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

// header is a Cognito JWT header: kid and alg, nothing else.
type header struct {
	Kid string `json:"kid"`
	Alg string `json:"alg"`
}

func (i *Issuer) signJWT(claims any) (string, error) {
	h, err := json.Marshal(header{Kid: i.kid, Alg: "RS256"})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signingInput := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(nil, i.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// verifySignature checks tok's header and RS256 signature and returns its payload.
func (i *Issuer) verifySignature(tok string) ([]byte, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a JWS compact serialization", ErrInvalidToken)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrInvalidToken, err)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrInvalidToken, err)
	}
	if h.Alg != "RS256" {
		return nil, fmt.Errorf("%w: alg %q", ErrInvalidToken, h.Alg)
	}
	if subtle.ConstantTimeCompare([]byte(h.Kid), []byte(i.kid)) != 1 {
		return nil, fmt.Errorf("%w: unknown kid %q", ErrInvalidToken, h.Kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrInvalidToken, err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&i.key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		return nil, fmt.Errorf("%w: bad signature", ErrInvalidToken)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrInvalidToken, err)
	}
	return payload, nil
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
