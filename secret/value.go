package secret

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// LoadValueAWS reads the credential spec names (secretsmanager:, ssm: or
// plain:) once, at start-up, trimmed of surrounding space: a rotated value
// takes effect when the function's instances are replaced. The caller
// names the variable in the error.
func LoadValueAWS(ctx context.Context, spec string, cfg aws.Config) (string, error) {
	if strings.TrimSpace(spec) == "" {
		return "", errors.New("required: secretsmanager:<name>, ssm:<name> or plain:<value> (local use only)")
	}
	sm, ssmc := clients(cfg)
	src, err := FromSpec(spec, sm, ssmc)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := src.Fetch(ctx)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(v)), nil
}
