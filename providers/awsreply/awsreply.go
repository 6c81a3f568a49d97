// Package awsreply reads what an AWS SDK error says about the HTTP answer,
// for the providers that call AWS (sns, eum): the status and request id,
// and the classification of an error that carries no service error (no
// answer, or one that was not the service's). It never keeps the SDK's
// error, whose text may quote the number.
package awsreply

import (
	"context"
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// Response is the HTTP status and request id of err's answer; 0 and ""
// when no answer came.
func Response(err error) (status int, requestID string) {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode(), re.ServiceRequestID()
	}
	return 0, ""
}

// NoAnswer classifies err, which carries no service error, for provider
// (whose service's name goes in the message): transient for a network
// failure, a timeout or a cancelled context (its sentinel stays in the
// chain for errors.Is); provider-side for a 4xx that was not the service's
// (a proxy, a bad endpoint) and for input the SDK refused before sending.
func NoAnswer(provider, service string, err error, m providers.Message) *providers.Error {
	status, requestID := Response(err)
	e := &providers.SafeError{Msg: providers.Redact(err.Error(), m)}
	if status != 0 {
		e.Msg = providers.DescribeHTTP(status, requestID, "the reply is not an "+service+" error")
	}
	kind := providers.Transient
	var invalid *smithy.InvalidParamsError
	switch {
	case errors.Is(err, context.Canceled):
		e.Cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.Cause = context.DeadlineExceeded
	case status != 0 && status != http.StatusTooManyRequests && status < 500:
		kind = providers.ProviderSide
	case errors.As(err, &invalid):
		kind = providers.ProviderSide
	}
	return &providers.Error{Provider: provider, Kind: kind, Err: e}
}
