package secret

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// LoadKeys is the server's keys from the secret s names, read through a
// cache of s.CacheTTL. It reads the secret once now, so a missing,
// unreadable or too short secret fails the function's start instead of
// every sign-in. sm and ssmc may be nil when the spec does not need them
// (plain: in the local stack); log, when not nil, hears that a plain value
// is for local use only. Errors name OTP_SECRET.
func LoadKeys(ctx context.Context, s config.Secret, sm, ssmc API, log *slog.Logger) (*otp.KeySource, error) {
	if log != nil && strings.HasPrefix(s.Spec, "plain:") {
		log.Warn("OTP_SECRET is a plain value: for local use only; use secretsmanager: or ssm: in AWS")
	}
	src, err := FromSpec(s.Spec, sm, ssmc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvSecret, err)
	}
	keys := otp.NewKeySource(NewCache(src, s.CacheTTL, nil))
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := keys.Keyring(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvSecret, err)
	}
	return keys, nil
}

// LoadKeysAWS is LoadKeys with Secrets Manager and SSM clients made from cfg.
func LoadKeysAWS(ctx context.Context, s config.Secret, cfg aws.Config, log *slog.Logger) (*otp.KeySource, error) {
	sm, ssmc := clients(cfg)
	return LoadKeys(ctx, s, sm, ssmc, log)
}

// clients are the Secrets Manager and SSM APIs of cfg; building them makes
// no call.
func clients(cfg aws.Config) (sm, ssmc API) {
	return awsjson.New(cfg, awsjson.SecretsManager), awsjson.New(cfg, awsjson.SSM)
}
