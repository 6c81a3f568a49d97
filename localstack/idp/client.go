package idp

import (
	"fmt"
	"slices"
	"strings"
)

// What the app client allows, as CreateUserPoolClient defines it. Cognito
// checks these for every call an app client makes (SignUp,
// UpdateUserAttributes, GetUser, the tokens); admin operations are
// unaffected. The local pool must refuse what a deployed one refuses, or a
// sign-up that works here fails in AWS.

// The explicit auth flows the local pool implements.
const (
	AuthFlowCustom  = "ALLOW_CUSTOM_AUTH"
	AuthFlowRefresh = "ALLOW_REFRESH_TOKEN_AUTH"
)

// msgUnauthorizedWrite is Cognito's NotAuthorizedException message for a
// SignUp or UpdateUserAttributes that sets an attribute outside the app
// client's WriteAttributes (reported in aws/aws-sdk-js#1084 and #1319,
// aws-amplify/aws-sdk-ios#3483, aws-amplify/amplify-js#5345).
const msgUnauthorizedWrite = "A client attempted to write unauthorized attribute"

// defaultAuthFlows is what template.yaml's app client allows.
var defaultAuthFlows = []string{AuthFlowCustom, AuthFlowRefresh}

// checkAuthFlows refuses flows the local pool does not implement, so a
// template that allows a password flow fails at start-up, not at sign-in.
func checkAuthFlows(flows []string) error {
	for _, f := range flows {
		if f != AuthFlowCustom && f != AuthFlowRefresh {
			return fmt.Errorf("idp: ExplicitAuthFlows %s: the local pool implements only %s and %s", f, AuthFlowCustom, AuthFlowRefresh)
		}
	}
	return nil
}

// flowAllowed reports whether the local pool serves the InitiateAuth flow
// and the app client allows it.
func (s *Server) flowAllowed(flow string) bool {
	switch flow {
	case flowCustom:
		return slices.Contains(s.cfg.AuthFlows, AuthFlowCustom)
	case flowRefresh, flowRefreshAlias:
		return slices.Contains(s.cfg.AuthFlows, AuthFlowRefresh)
	}
	return false
}

// flowNotEnabled is Cognito's answer to a flow the app client does not allow.
func flowNotEnabled(flow string) *apiError {
	return errorf(errInvalidParameter, "%s flow not enabled for this client", truncate(flow, 40))
}

// canWrite reports whether the app client may set attribute name. Without
// WriteAttributes, Cognito lets a client write the standard attributes, but
// never the *_verified flags (aws/aws-sdk-js#3603) nor sub.
func (s *Server) canWrite(name string) bool {
	if s.cfg.WriteAttributes != nil {
		return slices.Contains(s.cfg.WriteAttributes, name)
	}
	return name != attrSub && !strings.HasSuffix(name, "_verified") && !strings.HasPrefix(name, "cognito:")
}

// checkWrite refuses attrs if any is outside the client's WriteAttributes.
func (s *Server) checkWrite(attrs []attribute) *apiError {
	for _, a := range attrs {
		if !s.canWrite(a.Name) {
			return errorf(errNotAuthorized, msgUnauthorizedWrite)
		}
	}
	return nil
}

// readable returns the attributes the app client may read: GetUser's
// answer and the ID token's claims. sub is always there; without
// ReadAttributes every attribute is.
func (s *Server) readable(attrs map[string]string) map[string]string {
	out := make(map[string]string, len(attrs))
	for n, v := range attrs {
		if s.cfg.ReadAttributes == nil || n == attrSub || slices.Contains(s.cfg.ReadAttributes, n) {
			out[n] = v
		}
	}
	return out
}
