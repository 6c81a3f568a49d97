package tokens

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

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
