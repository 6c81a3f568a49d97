package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
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

// API calls one operation of an AWS JSON 1.1 service (*awsjson.Client):
// the Secrets Manager and SSM calls are one operation each, so we make them
// without linking their generated SDK clients (see internal/awsjson).
// Errors from the service wrap *awsjson.APIError.
type API interface {
	Call(ctx context.Context, operation string, in, out any) error
}

// isCode reports whether err is the service's answer code.
func isCode(err error, code string) bool {
	var api *awsjson.APIError
	return errors.As(err, &api) && api.Code == code
}

// SecretsManager fetches the current version (AWSCURRENT) of a Secrets
// Manager secret.
type SecretsManager struct {
	client API
	id     string
}

var _ Fetcher = (*SecretsManager)(nil)

// NewSecretsManager returns a Fetcher for the secret with the given name or
// ARN, read through client (a Secrets Manager API).
func NewSecretsManager(client API, secretID string) *SecretsManager {
	return &SecretsManager{client: client, id: secretID}
}

// getSecretValue holds the GetSecretValue response fields we read.
type getSecretValue struct {
	SecretString *string
	SecretBinary []byte // base64 in JSON, as the API sends it
}

// Fetch returns SecretString's bytes if the secret has a string value,
// otherwise SecretBinary's (base64-decoded).
func (s *SecretsManager) Fetch(ctx context.Context) ([]byte, error) {
	if s.client == nil {
		return nil, fmt.Errorf("secretsmanager get %q: no client", s.id)
	}
	var out getSecretValue
	err := s.client.Call(ctx, "GetSecretValue", map[string]string{"SecretId": s.id}, &out)
	if err != nil {
		if isCode(err, "ResourceNotFoundException") {
			return nil, fmt.Errorf("secretsmanager get %q: %w: %w", s.id, ErrNotFound, err)
		}
		return nil, fmt.Errorf("secretsmanager get %q: %w", s.id, err)
	}
	switch {
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
	client API
	name   string
}

var _ Fetcher = (*SSMParameter)(nil)

// NewSSMParameter returns a Fetcher for the parameter with the given name
// or ARN ("name:version" and "name:label" select a version, as in the API),
// read through client (an SSM API).
func NewSSMParameter(client API, name string) *SSMParameter {
	return &SSMParameter{client: client, name: name}
}

// secureString is the parameter type a secret must have.
const secureString = "SecureString"

// getParameter holds the GetParameter response fields we read.
type getParameter struct {
	Parameter *struct {
		Type  string
		Value *string
	}
}

// Fetch returns the decrypted value. A parameter of type String or
// StringList is refused: a secret belongs in a SecureString, encrypted at
// rest with KMS.
func (p *SSMParameter) Fetch(ctx context.Context) ([]byte, error) {
	if p.client == nil {
		return nil, fmt.Errorf("ssm get %q: no client", p.name)
	}
	var out getParameter
	err := p.client.Call(ctx, "GetParameter", map[string]any{"Name": p.name, "WithDecryption": true}, &out)
	if err != nil {
		if isCode(err, "ParameterNotFound") {
			return nil, fmt.Errorf("ssm get %q: %w: %w", p.name, ErrNotFound, err)
		}
		return nil, fmt.Errorf("ssm get %q: %w", p.name, err)
	}
	if out.Parameter == nil {
		return nil, fmt.Errorf("ssm get %q: response has no Parameter: %w", p.name, ErrEmpty)
	}
	if t := out.Parameter.Type; t != secureString {
		return nil, fmt.Errorf("ssm get %q: parameter type is %q, want %q", p.name, t, secureString)
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
