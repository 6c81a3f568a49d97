// Package define is the DefineAuthChallenge trigger. It sits apart from
// package triggers because it needs nothing of theirs: no phone numbering
// plan, no AWS client, so its function links and starts only this.
package define

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// ChallengeName is the only challenge the triggers ask for.
const ChallengeName = "CUSTOM_CHALLENGE"

// Define is the DefineAuthChallenge trigger: it decides, from the session so
// far, whether to ask for a code, issue tokens or fail.
type Define struct {
	maxAttempts int
	log         *slog.Logger
}

// New returns the trigger; maxAttempts is answers allowed per code; log
// may be nil (no logs).
func New(maxAttempts int, log *slog.Logger) (*Define, error) {
	if maxAttempts < 1 {
		return nil, fmt.Errorf("define trigger: max attempts %d, want at least 1", maxAttempts)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Define{maxAttempts: maxAttempts, log: log}, nil
}

// ErrBadRequest is the refusal of an event meant for another trigger; its
// text is what Cognito shows the app (triggers.CodeBadRequest).
var ErrBadRequest = errors.New("OTP_BAD_REQUEST")

// Handle returns an error only for an event meant for another trigger:
// every odd session fails the sign-in.
func (h *Define) Handle(ctx context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
	if !source.Define.Has(ev.TriggerSource) {
		h.log.Warn("event meant for another trigger", "trigger", source.Define.Trigger, "triggerSource", source.Loggable(ev.TriggerSource))
		return ev, ErrBadRequest
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
	log := h.log.With("trigger", "DefineAuthChallenge")
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
