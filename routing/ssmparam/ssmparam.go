// Package ssmparam reads and writes the routing parameter in AWS Systems
// Manager Parameter Store: the worker's routing.ParameterReader and
// otpctl's writer. It calls SSM's JSON API through internal/awsjson (one
// signed call per operation) rather than the generated SSM client, which
// would add megabytes to the worker for two operations. It knows nothing of
// what the value means (package routing does).
package ssmparam

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
)

// API calls one SSM operation (an *awsjson.Client for awsjson.SSM).
type API interface {
	Call(ctx context.Context, operation string, in, out any) error
}

// Reader reads parameters with GetParameter.
type Reader struct{ c API }

// NewReader returns a Reader over c.
func NewReader(c API) Reader { return Reader{c: c} }

var _ routing.ParameterReader = Reader{}

// Parameter is the named parameter's value; a missing one is an error
// wrapping routing.ErrNoParameter.
func (r Reader) Parameter(ctx context.Context, name string) (string, error) {
	var out struct {
		Parameter *struct{ Value *string }
	}
	if err := r.c.Call(ctx, "GetParameter", map[string]any{"Name": name}, &out); err != nil {
		var api *awsjson.APIError
		if errors.As(err, &api) && api.Code == "ParameterNotFound" {
			return "", fmt.Errorf("ssm get %q: %w", name, routing.ErrNoParameter)
		}
		return "", fmt.Errorf("ssm get %q: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("ssm get %q: response has no value", name)
	}
	return *out.Parameter.Value, nil
}

// Writer writes parameters with PutParameter.
type Writer struct{ c API }

// NewWriter returns a Writer over c.
func NewWriter(c API) Writer { return Writer{c: c} }

// Put writes value as the String parameter name (creating or overwriting
// it) and returns its new version.
func (w Writer) Put(ctx context.Context, name, value string) (int64, error) {
	var out struct{ Version int64 }
	in := map[string]any{"Name": name, "Value": value, "Type": "String", "Overwrite": true}
	if err := w.c.Call(ctx, "PutParameter", in, &out); err != nil {
		return 0, fmt.Errorf("ssm put %q: %w", name, err)
	}
	return out.Version, nil
}
