package triggers

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// Define is the DefineAuthChallenge trigger: it decides, from the session so
// far, whether to ask for a code, issue tokens or fail.
type Define struct {
	maxAttempts int
	env         Env
}

// NewDefine returns the trigger; maxAttempts is answers allowed per code.
func NewDefine(maxAttempts int, env Env) (*Define, error) {
	if maxAttempts < 1 {
		return nil, fmt.Errorf("define trigger: max attempts %d, want at least 1", maxAttempts)
	}
	return &Define{maxAttempts: maxAttempts, env: env.withDefaults()}, nil
}

// Handle returns an error only for an event meant for another trigger:
// every odd session fails the sign-in.
func (h *Define) Handle(ctx context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
	if err := checkSource(source.Define, h.env.Log, ev.TriggerSource); err != nil {
		return ev, err
	}
	ev.Response = h.decide(ev.Request)
	return ev, nil
}

var (
	askCode    = events.CognitoEventUserPoolsDefineAuthChallengeResponse{ChallengeName: ChallengeName}
	issueToken = events.CognitoEventUserPoolsDefineAuthChallengeResponse{IssueTokens: true}
	failAuth   = events.CognitoEventUserPoolsDefineAuthChallengeResponse{FailAuthentication: true}
)

func (h *Define) decide(req events.CognitoEventUserPoolsDefineAuthChallengeRequest) events.CognitoEventUserPoolsDefineAuthChallengeResponse {
	log := h.env.Log.With("trigger", "DefineAuthChallenge")
	// An unknown user goes through the same rounds as a known one (Verify
	// always fails it); a known user without a number can never get a code.
	if !req.UserNotFound && req.UserAttributes["phone_number"] == "" {
		log.Info("user has no phone number")
		return failAuth
	}
	s := req.Session
	if len(s) == 0 {
		return askCode
	}
	for _, r := range s {
		// Only our own challenge may ever lead to tokens: a session with
		// SRP or password rounds in it is not a code sign-in.
		if r == nil || r.ChallengeName != ChallengeName {
			log.Warn("foreign challenge in session")
			return failAuth
		}
	}
	last := s[len(s)-1]
	if last.ChallengeResult {
		if req.UserNotFound {
			return failAuth
		}
		return issueToken
	}
	sameCode := 0
	for _, r := range s {
		if r.ChallengeMetadata == last.ChallengeMetadata {
			sameCode++
		}
	}
	// Per code the attempt cap; per session a bound, so a session cannot go
	// on forever across expired codes.
	if sameCode >= h.maxAttempts || len(s) >= 2*h.maxAttempts {
		log.Info("attempts spent", "rounds", len(s))
		return failAuth
	}
	return askCode
}
