package idp

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"maps"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/tokens"
)

const (
	flowCustom       = "CUSTOM_AUTH"
	flowRefresh      = "REFRESH_TOKEN_AUTH"
	flowRefreshAlias = "REFRESH_TOKEN" // the API accepts both names
	challengeCustom  = "CUSTOM_CHALLENGE"
	challengeNewPass = "NEW_PASSWORD_REQUIRED"
	paramUsername    = "USERNAME"
	paramAnswer      = "ANSWER"
	paramNewPassword = "NEW_PASSWORD"
	paramRefresh     = "REFRESH_TOKEN"
	// Trigger sources of the custom-auth flow.
	sourceDefine   = "DefineAuthChallenge_Authentication"
	sourceCreate   = "CreateAuthChallenge_Authentication"
	sourceVerify   = "VerifyAuthChallengeResponse_Authentication"
	sourcePostAuth = "PostAuthentication_Authentication"
)

type initiateAuthInput struct {
	AuthFlow       string            `json:"AuthFlow"`
	AuthParameters map[string]string `json:"AuthParameters"`
	cognitowire.ClientRequest
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// initiateAuth starts CUSTOM_AUTH or refreshes tokens. Its ClientMetadata
// reaches none of the custom-auth triggers: the API reference lists only
// pre sign-up, pre authentication and user migration for it.
func (s *Server) initiateAuth(ctx context.Context, in initiateAuthInput) (any, *apiError) {
	switch {
	case in.AuthFlow == "":
		return nil, missing("authFlow")
	case !s.flowAllowed(in.AuthFlow):
		return nil, flowNotEnabled(in.AuthFlow)
	case in.AuthFlow == flowCustom:
		return s.startCustomAuth(ctx, in)
	}
	return s.refresh(in.AuthParameters[paramRefresh])
}

func (s *Server) startCustomAuth(ctx context.Context, in initiateAuthInput) (any, *apiError) {
	name := in.AuthParameters[paramUsername]
	if name == "" {
		return nil, errorf(errInvalidParameter, "Missing required parameter USERNAME")
	}
	// Cognito sends the first round an empty session ([]), not null.
	st := &authState{clientID: in.ClientID, username: name, results: []*events.CognitoEventUserPoolsChallengeResult{}}
	u, found := s.users.lookup(name)
	if number, ok := typed(s.fakeKey, name); ok && !found {
		// The made-up username of an unregistered number: the sign-in is
		// the number's, as a registered number's real username is its user.
		name, st.username = number, number
		u, found = s.users.lookup(number)
	}
	switch {
	case !found && s.cfg.RevealUserExistence:
		return nil, errorf(errUserNotFound, msgUserNotExist)
	case !found:
		// PreventUserExistenceErrors: the triggers run for the name as
		// typed, told the user is not found, and the client cannot tell.
		st.notFound = true
		st.shown = madeUpName(s.fakeKey, name)
		st.standIn = map[string]string{
			attrSub: st.shown, attrPhone: name, attrPhoneVerified: "false", "cognito:user_status": statusConfirmed,
		}
	case !u.Enabled:
		return nil, errorf(errNotAuthorized, "User is disabled.")
	case u.Status == statusUnconfirmed:
		return nil, errorf(errUserNotConfirmed, "User is not confirmed.")
	default:
		st.username, st.shown = u.Username, u.Username
	}
	return s.nextRound(ctx, st, nil)
}

type respondInput struct {
	ChallengeName      string            `json:"ChallengeName"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	cognitowire.ClientRequest
	ClientMetadata map[string]string `json:"ClientMetadata"`
	Session        string            `json:"Session"`
}

// respondToAuthChallenge answers one round. Its ClientMetadata reaches
// Define, Create, Verify and PostAuthentication, as the API reference says.
func (s *Server) respondToAuthChallenge(ctx context.Context, in respondInput) (any, *apiError) {
	switch {
	case in.ChallengeName == "":
		return nil, missing("challengeName")
	case in.Session == "":
		return nil, errorf(errInvalidParameter, "Missing required parameter Session")
	case in.ChallengeResponses[paramUsername] == "":
		return nil, errorf(errInvalidParameter, "Missing required parameter USERNAME")
	}
	st, aerr := s.sessions.take(in.Session, func(st *authState) *apiError { return s.checkRound(st, in) })
	if aerr != nil {
		return nil, aerr
	}
	if st.challenge == challengeNewPass {
		return s.setNewPassword(ctx, st, in)
	}
	correct, aerr := s.verify(ctx, st, in.ChallengeResponses[paramAnswer], in.ClientMetadata)
	if aerr != nil {
		return nil, aerr
	}
	st.results = append(st.results, &events.CognitoEventUserPoolsChallengeResult{
		ChallengeName: challengeCustom, ChallengeResult: correct, ChallengeMetadata: st.metadata,
	})
	return s.nextRound(ctx, st, in.ClientMetadata)
}

// checkRound refuses an answer that does not belong to the session or
// lacks what its challenge needs. It runs under the sessions' lock.
func (s *Server) checkRound(st *authState, in respondInput) *apiError {
	if in.ClientID != st.clientID || in.ChallengeName != st.challenge {
		return errorf(errInvalidParameter, "Invalid challenge name or session for this challenge")
	}
	need := paramAnswer
	if st.challenge == challengeNewPass {
		need = paramNewPassword
	}
	if _, ok := in.ChallengeResponses[need]; !ok {
		return errorf(errInvalidParameter, "Missing required parameter %s", need)
	}
	if need == paramNewPassword {
		if aerr := s.checkPassword(in.ChallengeResponses[need]); aerr != nil {
			return aerr
		}
	}
	if name := in.ChallengeResponses[paramUsername]; name != st.shown && name != st.username {
		if u, ok := s.users.lookup(name); !ok || u.Username != st.username {
			return errorf(errNotAuthorized, "Invalid session for the user.")
		}
	}
	return nil
}

// nextRound asks Define what comes next and acts on it: tokens, failure,
// or a new challenge from Create.
func (s *Server) nextRound(ctx context.Context, st *authState, meta map[string]string) (any, *apiError) {
	attrs, aerr := s.triggerAttributes(st)
	if aerr != nil {
		return nil, aerr
	}
	def, aerr := invoke(ctx, s.inv, nameDefine, s.cfg.Triggers.Define, events.CognitoEventUserPoolsDefineAuthChallenge{
		CognitoEventUserPoolsHeader: s.header(sourceDefine, st.username, st.clientID),
		Request: events.CognitoEventUserPoolsDefineAuthChallengeRequest{
			UserAttributes: attrs, Session: st.results, ClientMetadata: meta, UserNotFound: st.notFound,
		},
	})
	if aerr != nil {
		return nil, aerr
	}
	switch r := def.Response; {
	case r.IssueTokens && !st.notFound:
		return s.signedIn(ctx, st, meta)
	case r.IssueTokens, r.FailAuthentication:
		return nil, errorf(errNotAuthorized, msgIncorrect)
	case r.ChallengeName != challengeCustom:
		// Password and SRP challenges have no place in this pool.
		return nil, errorf(errInvalidLambda, "Unrecognizable lambda output")
	}
	return s.challenge(ctx, st, attrs, meta)
}

// challenge runs Create and opens the session the client answers with.
func (s *Server) challenge(ctx context.Context, st *authState, attrs, meta map[string]string) (any, *apiError) {
	cr, aerr := invoke(ctx, s.inv, nameCreate, s.cfg.Triggers.Create, events.CognitoEventUserPoolsCreateAuthChallenge{
		CognitoEventUserPoolsHeader: s.header(sourceCreate, st.username, st.clientID),
		Request: events.CognitoEventUserPoolsCreateAuthChallengeRequest{
			UserAttributes: attrs, ChallengeName: challengeCustom, Session: st.results,
			ClientMetadata: meta, UserNotFound: st.notFound,
		},
	})
	if aerr != nil {
		return nil, aerr
	}
	st.challenge = challengeCustom
	st.private = cr.Response.PrivateChallengeParameters
	st.metadata = cr.Response.ChallengeMetadata
	params := maps.Clone(cr.Response.PublicChallengeParameters)
	if params == nil {
		params = map[string]string{}
	}
	params[paramUsername] = st.shown
	return s.openRound(st, challengeCustom, params)
}

func (s *Server) openRound(st *authState, name string, params map[string]string) (any, *apiError) {
	st.challenge = name
	id, err := s.sessions.open(st)
	if err != nil {
		return nil, errorf(errInternal, "%v", err)
	}
	return authResponse{ChallengeName: name, ChallengeParameters: params, Session: id}, nil
}

func (s *Server) verify(ctx context.Context, st *authState, answer string, meta map[string]string) (bool, *apiError) {
	attrs, aerr := s.triggerAttributes(st)
	if aerr != nil {
		return false, aerr
	}
	vr, aerr := invoke(ctx, s.inv, nameVerify, s.cfg.Triggers.Verify, events.CognitoEventUserPoolsVerifyAuthChallenge{
		CognitoEventUserPoolsHeader: s.header(sourceVerify, st.username, st.clientID),
		Request: events.CognitoEventUserPoolsVerifyAuthChallengeRequest{
			UserAttributes: attrs, PrivateChallengeParameters: st.private, ChallengeAnswer: answer,
			ClientMetadata: meta, UserNotFound: st.notFound,
		},
	})
	if aerr != nil {
		return false, aerr
	}
	return vr.Response.AnswerCorrect, nil
}

// signedIn ends a successful sign-in: a user an admin created must first
// choose a password (Cognito asks even in a custom flow); then
// PostAuthentication runs and tokens are issued.
func (s *Server) signedIn(ctx context.Context, st *authState, meta map[string]string) (any, *apiError) {
	u, ok := s.users.lookup(st.username)
	if !ok {
		return nil, errorf(errNotAuthorized, msgIncorrect)
	}
	if u.Status == statusForceChange {
		return s.openRound(st, challengeNewPass, map[string]string{
			paramUsername: u.Username, "requiredAttributes": "[]", "userAttributes": "{}",
		})
	}
	if h := s.cfg.Triggers.PostAuthentication; h != nil {
		_, aerr := invoke(ctx, s.inv, namePostAuth, h, events.CognitoEventUserPoolsPostAuthentication{
			CognitoEventUserPoolsHeader: s.header(sourcePostAuth, st.username, st.clientID),
			Request: events.CognitoEventUserPoolsPostAuthenticationRequest{
				UserAttributes: triggerAttributes(u), ClientMetadata: meta,
			},
		})
		if aerr != nil {
			return nil, aerr
		}
		if u, ok = s.users.lookup(st.username); !ok {
			return nil, errorf(errNotAuthorized, msgIncorrect)
		}
	}
	t, err := s.cfg.Tokens.Issue(s.tokenUser(u), s.cfg.Now())
	if err != nil {
		return nil, errorf(errInternal, "issue tokens: %v", err)
	}
	return authResponse{AuthenticationResult: result(t)}, nil
}

// setNewPassword answers NEW_PASSWORD_REQUIRED: the password (checked
// against the policy by checkRound) is discarded, the user confirmed, and
// the sign-in completed.
func (s *Server) setNewPassword(ctx context.Context, st *authState, in respondInput) (any, *apiError) {
	_, err := s.users.update(st.username, func(u *user) error {
		u.Status = statusConfirmed
		return nil
	})
	if err != nil {
		return nil, errorf(errNotAuthorized, msgIncorrect)
	}
	return s.signedIn(ctx, st, in.ClientMetadata)
}

type getTokensInput struct {
	cognitowire.ClientRequest
	RefreshToken string `json:"RefreshToken"`
}

// getTokensFromRefreshToken is how Amplify v6 refreshes. Without refresh
// token rotation (the pool has none) it answers as REFRESH_TOKEN_AUTH does:
// new ID and access tokens, no new refresh token.
func (s *Server) getTokensFromRefreshToken(_ context.Context, in getTokensInput) (any, *apiError) {
	if in.RefreshToken == "" {
		return nil, missing("refreshToken")
	}
	if !s.flowAllowed(flowRefresh) {
		return nil, flowNotEnabled(flowRefresh)
	}
	return s.refresh(in.RefreshToken)
}

func (s *Server) refresh(token string) (any, *apiError) {
	if token == "" {
		return nil, errorf(errInvalidParameter, "Missing required parameter REFRESH_TOKEN")
	}
	// A deleted or disabled user's refresh token no longer works; a live
	// one's new tokens carry the attributes as they are now.
	t, err := s.cfg.Tokens.RefreshAs(token, func(username string) (tokens.User, error) {
		u, ok := s.users.lookup(username)
		if !ok || !u.Enabled {
			return tokens.User{}, errUserGone
		}
		return s.tokenUser(u), nil
	})
	switch {
	case errors.Is(err, tokens.ErrRevoked):
		return nil, errorf(errNotAuthorized, "Refresh Token has been revoked")
	case errors.Is(err, tokens.ErrExpired):
		return nil, errorf(errNotAuthorized, "Refresh Token has expired")
	case err != nil:
		return nil, errorf(errNotAuthorized, "Invalid Refresh Token")
	}
	return authResponse{AuthenticationResult: result(t)}, nil
}

var errUserGone = errors.New("user deleted or disabled")

func result(t tokens.AuthResult) *authResult {
	return &authResult{
		AccessToken: t.AccessToken, IDToken: t.IDToken, RefreshToken: t.RefreshToken,
		ExpiresIn: t.ExpiresIn, TokenType: "Bearer",
	}
}

// tokenUser is who the tokens are for; the ID token carries only the
// attributes the app client may read.
func (s *Server) tokenUser(u user) tokens.User {
	return tokens.User{Sub: u.Attributes[attrSub], Username: u.Username, Attributes: s.readable(u.Attributes)}
}

// triggerAttributes is the request's userAttributes: the user's attributes
// plus cognito:user_status, as Cognito sends them; empty for an unknown user.
func (s *Server) triggerAttributes(st *authState) (map[string]string, *apiError) {
	if st.notFound {
		standInCost(st.standIn)
		return map[string]string{}, nil
	}
	u, ok := s.users.lookup(st.username)
	if !ok {
		// Deleted mid sign-in.
		return nil, errorf(errNotAuthorized, msgIncorrect)
	}
	return triggerAttributes(u), nil
}

// standInCost spends on an unknown user's stand-in attributes what a
// registered user's attributes cost beyond it: the copy, and their share
// of the JSON encoding and decoding of the events Define and Create get
// and answer. Cognito sends an unknown user's triggers empty
// userAttributes, as here, so without it an unknown number's InitiateAuth
// did less, and a latency threshold told the two apart 54-56% of the time
// over 2,000 samples (issue 13). The made-up username's HMACs
// (madeUpName), which only an unknown user costs, already make up part of
// it: two encodings and decodings of the map on their own match the rest
// (median ratio 1.00 over six 1,000-pair runs of
// BenchmarkInitiateAuthKnownAndUnknown; one: 0.96, and 54-56% accuracy;
// four, as this once did: 1.04, a CPU profile putting 25 µs per call here).
func standInCost(attrs map[string]string) {
	c := maps.Clone(attrs)
	for range 2 {
		b, _ := json.Marshal(c)
		c = nil
		_ = json.Unmarshal(b, &c)
	}
}

func triggerAttributes(u user) map[string]string {
	attrs := maps.Clone(u.Attributes)
	attrs["cognito:user_status"] = u.Status
	return attrs
}

// header is the part every trigger event shares, for userName and the app
// client (or clientNotApplicable) that made the call.
func (s *Server) header(source, userName, clientID string) events.CognitoEventUserPoolsHeader {
	return events.CognitoEventUserPoolsHeader{
		Version: eventVersion, TriggerSource: source, Region: s.cfg.Region, UserPoolID: s.cfg.PoolID,
		UserName:      userName,
		CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: callerSDK, ClientID: clientID},
	}
}
