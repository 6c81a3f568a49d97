package cognitowire

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Wire constants of AWS JSON 1.1 as Cognito uses it.
const (
	ContentType  = "application/x-amz-json-1.1"
	TargetPrefix = "AWSCognitoIdentityProviderService."
	// MaxPage is the documented maximum, and default, of ListUsers' Limit
	// and ListUserPoolClients' MaxResults.
	MaxPage = 60
	// maxBody bounds a request body; Cognito's largest inputs are far smaller.
	maxBody = 1 << 20
)

// Handler serves one operation of a server S from its raw JSON body.
type Handler[S any] func(s S, ctx context.Context, body []byte) (any, *Error)

// Op makes a Handler from a function of the operation's decoded input, so
// no operation decodes its own body.
func Op[S, In any](f func(s S, ctx context.Context, in In) (any, *Error)) Handler[S] {
	return func(s S, ctx context.Context, body []byte) (any, *Error) {
		var in In
		if aerr := Decode(body, &in); aerr != nil {
			return nil, aerr
		}
		return f(s, ctx, in)
	}
}

// Operations is a server's operation table, by the name X-Amz-Target
// carries after TargetPrefix.
type Operations[S any] map[string]Handler[S]

// Lookup returns the operation r's X-Amz-Target names, or "" when it names
// none of ops; cognito is whether the target has the service's prefix.
func (ops Operations[S]) Lookup(r *http.Request) (op string, cognito bool) {
	op, cognito = strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if _, ok := ops[op]; !ok || !cognito {
		op = ""
	}
	return op, cognito
}

// Target returns the operation a request names, or the error to answer if
// it names none that server (its name, for the message) implements.
func (ops Operations[S]) Target(r *http.Request, server string) (string, *Error) {
	op, cognito := ops.Lookup(r)
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		return "", Errorf(ErrUnknownOperation, "%s %s is not an operation", truncate(r.Method, 16), truncate(r.URL.Path, 64))
	case !cognito:
		return "", Errorf(ErrUnknownOperation, "X-Amz-Target must name an %s operation", strings.TrimSuffix(TargetPrefix, "."))
	case op == "":
		sent := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
		return "", Errorf(ErrUnknownOperation, "%s does not implement %s", server, truncate(sent, 64))
	}
	return op, nil
}

// Call runs operation op, which Target found in ops.
func (ops Operations[S]) Call(s S, ctx context.Context, op string, body []byte) (any, *Error) {
	return ops[op](s, ctx, body)
}

// CheckContentType refuses a body that is not AWS JSON 1.1.
func CheckContentType(r *http.Request) *Error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), ContentType) {
		return Errorf(ErrSerialization, "Content-Type must be %s", ContentType)
	}
	return nil
}

// ReadBody reads a request body of at most 1 MiB.
func ReadBody(r *http.Request) ([]byte, *Error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return nil, Errorf(ErrSerialization, "request body unreadable or over %d bytes", maxBody)
	}
	return body, nil
}

// Decode unmarshals a request body into v; an empty body is an empty object.
func Decode(body []byte, v any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Errorf(ErrSerialization, "malformed request body: %v", err)
	}
	return nil
}

// WriteResult sends an operation's output, 200 and its JSON.
func WriteResult(w http.ResponseWriter, out any) *Error {
	b, err := json.Marshal(out)
	if err != nil {
		return Errorf(ErrInternal, "encode response: %v", err)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// WriteError sends e in the AWS JSON 1.1 error shape. The type also goes in
// x-amzn-ErrorType, which some SDKs read before the body.
func WriteError(w http.ResponseWriter, e *Error) {
	status := http.StatusBadRequest
	if e.Type == ErrInternal {
		status = http.StatusInternalServerError
	}
	b, _ := json.Marshal(map[string]string{"__type": e.Type, "message": e.Message})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("x-amzn-ErrorType", e.Type)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
