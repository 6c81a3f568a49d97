package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Sentinel errors; fetch errors wrap them where they apply.
var (
	// ErrNotFound means the secret or parameter does not exist (or is not
	// visible to the caller's credentials in that region).
	ErrNotFound = errors.New("secret not found")
	// ErrEmpty means the secret exists but holds no value.
	ErrEmpty = errors.New("secret value is empty")
)

// Fetcher fetches the current value of the secret. Each call asks the
// backing store; wrap a Fetcher in a Cache to ask it at most once per TTL.
type Fetcher interface {
	Fetch(ctx context.Context) ([]byte, error)
}

// SecretsManagerClient is the part of *secretsmanager.Client we use.
type SecretsManagerClient interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SSMClient is the part of *ssm.Client we use.
type SSMClient interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// SecretsManager fetches the current version (AWSCURRENT) of a Secrets
// Manager secret.
type SecretsManager struct {
	client SecretsManagerClient
	id     string
}

var _ Fetcher = (*SecretsManager)(nil)

// NewSecretsManager returns a Fetcher for the secret with the given name or
// ARN.
func NewSecretsManager(client SecretsManagerClient, secretID string) *SecretsManager {
	return &SecretsManager{client: client, id: secretID}
}

// Fetch returns SecretString's bytes if the secret has a string value,
// otherwise SecretBinary's (already base64-decoded by the SDK).
func (s *SecretsManager) Fetch(ctx context.Context) ([]byte, error) {
	if s.client == nil {
		return nil, fmt.Errorf("secretsmanager get %q: no client", s.id)
	}
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.id)})
	if err != nil {
		var nf *smtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("secretsmanager get %q: %w: %w", s.id, ErrNotFound, err)
		}
		return nil, fmt.Errorf("secretsmanager get %q: %w", s.id, err)
	}
	switch {
	case out == nil:
		return nil, fmt.Errorf("secretsmanager get %q: empty response: %w", s.id, ErrEmpty)
	case out.SecretString != nil && *out.SecretString != "":
		return []byte(*out.SecretString), nil
	case len(out.SecretBinary) > 0:
		return bytes.Clone(out.SecretBinary), nil
	default:
		return nil, fmt.Errorf("secretsmanager get %q: neither SecretString nor SecretBinary has content: %w", s.id, ErrEmpty)
	}
}

// SSMParameter fetches a SecureString parameter from SSM Parameter Store,
// decrypted.
type SSMParameter struct {
	client SSMClient
	name   string
}

var _ Fetcher = (*SSMParameter)(nil)

// NewSSMParameter returns a Fetcher for the parameter with the given name
// or ARN ("name:version" and "name:label" select a version, as in the API).
func NewSSMParameter(client SSMClient, name string) *SSMParameter {
	return &SSMParameter{client: client, name: name}
}

// Fetch returns the decrypted value. A parameter of type String or
// StringList is refused: a secret belongs in a SecureString, encrypted at
// rest with KMS.
func (p *SSMParameter) Fetch(ctx context.Context) ([]byte, error) {
	if p.client == nil {
		return nil, fmt.Errorf("ssm get %q: no client", p.name)
	}
	out, err := p.client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(p.name), WithDecryption: aws.Bool(true)})
	if err != nil {
		var nf *ssmtypes.ParameterNotFound
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("ssm get %q: %w: %w", p.name, ErrNotFound, err)
		}
		return nil, fmt.Errorf("ssm get %q: %w", p.name, err)
	}
	if out == nil || out.Parameter == nil {
		return nil, fmt.Errorf("ssm get %q: response has no Parameter: %w", p.name, ErrEmpty)
	}
	if t := out.Parameter.Type; t != ssmtypes.ParameterTypeSecureString {
		return nil, fmt.Errorf("ssm get %q: parameter type is %q, want %q", p.name, t, ssmtypes.ParameterTypeSecureString)
	}
	if out.Parameter.Value == nil || *out.Parameter.Value == "" {
		return nil, fmt.Errorf("ssm get %q: %w", p.name, ErrEmpty)
	}
	return []byte(*out.Parameter.Value), nil
}

// Static is a fixed value, for local use and tests only: a secret in
// configuration is a secret in every process listing and crash dump.
type Static struct {
	value []byte
}

var _ Fetcher = Static{}

// NewStatic returns a Static holding a copy of value.
func NewStatic(value []byte) Static {
	return Static{value: bytes.Clone(value)}
}

// Fetch returns a copy of the value, or ErrEmpty if it is empty.
func (s Static) Fetch(context.Context) ([]byte, error) {
	if len(s.value) == 0 {
		return nil, fmt.Errorf("static secret: %w", ErrEmpty)
	}
	return bytes.Clone(s.value), nil
}

// Format prints "secret.Static(redacted)" for every verb, so that logging
// a Static by mistake shows no secret.
func (s Static) Format(f fmt.State, verb rune) {
	io.WriteString(f, "secret.Static(redacted)")
}
