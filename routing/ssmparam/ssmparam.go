// Package ssmparam reads and writes the routing parameter in AWS Systems
// Manager Parameter Store with the SDK's SSM client: the worker's
// routing.ParameterReader and otpctl's writer. It knows nothing of what the
// value means (package routing does).
package ssmparam

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
)

// GetClient is the part of *ssm.Client a Reader uses.
type GetClient interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// PutClient is the part of *ssm.Client a Writer uses.
type PutClient interface {
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

// Reader reads parameters with GetParameter.
type Reader struct{ c GetClient }

// NewReader returns a Reader over c.
func NewReader(c GetClient) Reader { return Reader{c: c} }

var _ routing.ParameterReader = Reader{}

// Parameter is the named parameter's value; a missing one is an error
// wrapping routing.ErrNoParameter.
func (r Reader) Parameter(ctx context.Context, name string) (string, error) {
	out, err := r.c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil {
		var nf *types.ParameterNotFound
		if errors.As(err, &nf) {
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
type Writer struct{ c PutClient }

// NewWriter returns a Writer over c.
func NewWriter(c PutClient) Writer { return Writer{c: c} }

// Put writes value as the String parameter name (creating or overwriting
// it) and returns its new version.
func (w Writer) Put(ctx context.Context, name, value string) (int64, error) {
	out, err := w.c.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("ssm put %q: %w", name, err)
	}
	return out.Version, nil
}
