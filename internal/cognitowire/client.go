package cognitowire

import "context"

// ClientRequest is the ClientId member of the operations an app client
// calls; their inputs embed it, and ClientOp checks it.
type ClientRequest struct {
	ClientID string `json:"ClientId"`
}

func (c ClientRequest) appClient() string { return c.ClientID }

type clientInput interface{ appClient() string }

// AppClientServer is a server with one app client.
type AppClientServer interface{ AppClientID() string }

// ClientOp is Op for an operation an app client calls: a request without
// the server's app client is refused before f runs.
func ClientOp[S AppClientServer, In clientInput](f func(s S, ctx context.Context, in In) (any, *Error)) Handler[S] {
	return Op(func(s S, ctx context.Context, in In) (any, *Error) {
		if aerr := CheckClient(in.appClient(), s.AppClientID()); aerr != nil {
			return nil, aerr
		}
		return f(s, ctx, in)
	})
}

// CheckClient refuses a ClientId that is absent or not the pool's client.
func CheckClient(id, want string) *Error {
	switch id {
	case "":
		return Missing("clientId")
	case want:
		return nil
	}
	return UnknownClient(id)
}
