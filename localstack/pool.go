package localstack

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// PoolSettings are the user pool's and app client's settings a client can
// tell apart: what template.yaml's UserPool and UserPoolClient deploy.
// LoadTemplate reads them from a template; DefaultPoolSettings are
// template.yaml's with its parameters' defaults (deploy/ tests keep the two
// equal), so what runs locally is what deploys.
type PoolSettings struct {
	// MinPasswordLength is Policies.PasswordPolicy.MinimumLength.
	MinPasswordLength int
	// ExplicitAuthFlows of the app client; the local pool serves
	// ALLOW_CUSTOM_AUTH and ALLOW_REFRESH_TOKEN_AUTH only.
	ExplicitAuthFlows []string
	// PreventUserExistenceErrors is ENABLED or LEGACY.
	PreventUserExistenceErrors string
	// ReadAttributes and WriteAttributes of the app client; nil means
	// Cognito's defaults for a client created without them.
	ReadAttributes  []string
	WriteAttributes []string
	// AuthSessionValidity is how long a custom-auth session lives.
	AuthSessionValidity time.Duration
	// Token lifetimes (the *TokenValidity properties in their units).
	AccessTokenValidity  time.Duration
	IDTokenValidity      time.Duration
	RefreshTokenValidity time.Duration
}

// Cognito's defaults for an app client that does not set them.
const (
	cognitoSessionValidity = 3 * time.Minute
	cognitoTokenValidity   = time.Hour
	cognitoRefreshValidity = 30 * 24 * time.Hour
	cognitoMinPassword     = 8
)

// DefaultPoolSettings returns template.yaml's settings with its parameters'
// defaults.
func DefaultPoolSettings() PoolSettings {
	return PoolSettings{
		MinPasswordLength:          16,
		ExplicitAuthFlows:          []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		PreventUserExistenceErrors: "ENABLED",
		WriteAttributes:            []string{"locale", "custom:otp_channel"},
		AuthSessionValidity:        3 * time.Minute, // CodeTtlMinutes
		AccessTokenValidity:        cognitoTokenValidity,
		IDTokenValidity:            cognitoTokenValidity,
		RefreshTokenValidity:       cognitoRefreshValidity,
	}
}

// Check refuses settings Cognito would refuse, with errors naming the
// template property.
func (p PoolSettings) Check() error {
	var errs []error
	if p.MinPasswordLength < 6 || p.MinPasswordLength > 99 {
		errs = append(errs, fmt.Errorf("PasswordPolicy.MinimumLength %d: want 6 to 99", p.MinPasswordLength))
	}
	if p.PreventUserExistenceErrors != "ENABLED" && p.PreventUserExistenceErrors != "LEGACY" {
		errs = append(errs, fmt.Errorf("PreventUserExistenceErrors %q: want ENABLED or LEGACY", p.PreventUserExistenceErrors))
	}
	if p.AuthSessionValidity < 3*time.Minute || p.AuthSessionValidity > 15*time.Minute {
		errs = append(errs, fmt.Errorf("AuthSessionValidity %s: want 3 to 15 minutes", p.AuthSessionValidity))
	}
	for name, d := range map[string]time.Duration{"AccessTokenValidity": p.AccessTokenValidity, "IdTokenValidity": p.IDTokenValidity} {
		if d < 5*time.Minute || d > 24*time.Hour {
			errs = append(errs, fmt.Errorf("%s %s: want 5 minutes to 1 day", name, d))
		}
	}
	if p.RefreshTokenValidity < time.Hour || p.RefreshTokenValidity > 3650*24*time.Hour {
		errs = append(errs, fmt.Errorf("RefreshTokenValidity %s: want 1 hour to 10 years", p.RefreshTokenValidity))
	}
	if slices.ContainsFunc(p.WriteAttributes, func(a string) bool { return a == "sub" }) {
		errs = append(errs, errors.New("WriteAttributes: sub is never writable"))
	}
	return errors.Join(errs...)
}
