package idp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
)

// Sign-up confirmation by SMS code, for a pool with AutoVerifiedAttributes
// [phone_number] whose sign-ups are not auto-confirmed: Cognito makes the
// code, encrypts it under the pool's KMS key (the AWS Encryption SDK), and
// hands it to the Custom SMS Sender trigger, which delivers it.
const (
	// ConfirmCodeLife is how long Cognito accepts a sign-up confirmation
	// code: 24 hours, not configurable.
	ConfirmCodeLife = 24 * time.Hour
	// MaxConfirmFailures wrong answers void a code: the user must ask for
	// a new one (LimitExceededException until then).
	MaxConfirmFailures = 5
	// MaxConfirmCodes codes (the sign-up's and resends) per user per
	// ConfirmCodeWindow; more is LimitExceededException.
	MaxConfirmCodes   = 5
	ConfirmCodeWindow = time.Hour
	confirmCodeDigits = 6
)

// Trigger sources and name of the Custom SMS Sender (LambdaVersion V1_0).
const (
	nameCustomSMS       = "CustomSMSSender"
	sourceSMSSignUp     = "CustomSMSSender_SignUp"
	sourceSMSResendCode = "CustomSMSSender_ResendCode"
	customSMSRequestV1  = "customSMSSenderRequestV1"
	msgAttemptLimit     = "Attempt limit exceeded, please try after some time."
)

// CodeEncrypter encrypts a code as Cognito does for a custom sender
// trigger: an AWS Encryption SDK message under the pool's KMS key, with
// the encryption context userpool-id (customsms/esdk.Codec).
type CodeEncrypter interface {
	Encrypt(ctx context.Context, plaintext []byte, userPoolID string) ([]byte, error)
}

// CustomSMSEvent is the Custom SMS Sender trigger's event, field for field
// as Cognito sends it. Cognito ignores the function's answer.
type CustomSMSEvent struct {
	events.CognitoEventUserPoolsHeader
	Request  CustomSMSRequest `json:"request"`
	Response struct{}         `json:"response"`
}

// CustomSMSRequest is the event's request: Code is the base64 of the
// Encryption SDK message.
type CustomSMSRequest struct {
	Type           string            `json:"type"`
	Code           string            `json:"code"`
	ClientMetadata map[string]string `json:"clientMetadata"`
	UserAttributes map[string]string `json:"userAttributes"`
}

// confirmation is a user's pending sign-up code: only its MAC is kept.
type confirmation struct {
	mac         [sha256.Size]byte
	expires     time.Time
	failures    int
	windowStart time.Time // of the codes counted in sent
	sent        int
}

// codeDelivery is a CodeDeliveryDetailsType.
type codeDelivery struct {
	AttributeName  string `json:"AttributeName"`
	DeliveryMedium string `json:"DeliveryMedium"`
	Destination    string `json:"Destination"`
}

func smsDelivery(number string) *codeDelivery {
	return &codeDelivery{AttributeName: attrPhone, DeliveryMedium: "SMS", Destination: phone.Mask(number)}
}

// sendsConfirmation: a sign-up that stays unconfirmed gets a code.
func (s *Server) sendsConfirmation() bool { return s.cfg.AutoVerifyPhone }

// sendConfirmation makes a new code for the user (it replaces any earlier
// one), within the per-user bound, and hands it, encrypted, to the Custom
// SMS Sender. A trigger failure is the client's error; the user keeps the
// new code's record and may ask again.
func (s *Server) sendConfirmation(ctx context.Context, name, source, clientID string, meta map[string]string) (*codeDelivery, *apiError) {
	code, err := s.newConfirmCode()
	if err != nil {
		return nil, errorf(errInternal, "%v", err)
	}
	now := s.cfg.Now()
	limited, confirmed := false, ""
	u, err := s.users.update(name, func(u *user) error {
		if u.Status != statusUnconfirmed {
			confirmed = u.Status
			return errNotUnconfirmed
		}
		c := &u.confirm
		if now.Sub(c.windowStart) >= ConfirmCodeWindow {
			c.windowStart, c.sent = now, 0
		}
		if c.sent >= MaxConfirmCodes {
			limited = true
			return errLimited
		}
		c.sent++
		c.mac, c.expires, c.failures = s.confirmMAC(u.Username, code), now.Add(ConfirmCodeLife), 0
		return nil
	})
	switch {
	case limited:
		return nil, errorf(errLimitExceeded, msgAttemptLimit)
	case confirmed != "":
		return nil, errorf(errInvalidParameter, "User is already confirmed.")
	case err != nil:
		return nil, errorf(errUserNotFound, msgUserNotExist)
	}
	ct, err := s.cfg.Codes.Encrypt(ctx, []byte(code), s.cfg.PoolID)
	if err != nil {
		// The KMS error names no code.
		return nil, errorf(errInternal, "encrypt the confirmation code: %v", err)
	}
	attrs := maps.Clone(u.Attributes)
	attrs["cognito:user_status"] = u.Status
	ev := CustomSMSEvent{
		CognitoEventUserPoolsHeader: s.header(source, u.Username, clientID),
		Request: CustomSMSRequest{
			Type: customSMSRequestV1, Code: base64.StdEncoding.EncodeToString(ct),
			ClientMetadata: meta, UserAttributes: attrs,
		},
	}
	if ev.Request.ClientMetadata == nil {
		ev.Request.ClientMetadata = map[string]string{}
	}
	if _, aerr := invoke(ctx, s.inv, nameCustomSMS, s.cfg.Triggers.CustomSMSSender, ev); aerr != nil {
		return nil, aerr
	}
	return smsDelivery(u.Attributes[attrPhone]), nil
}

var errLimited = errors.New("confirmation codes limited")

// newConfirmCode draws a 6-digit code from crypto/rand without bias.
func (s *Server) newConfirmCode() (string, error) {
	const n = 1_000_000
	var b [4]byte
	for {
		if _, err := io.ReadFull(s.cfg.Rand, b[:]); err != nil {
			return "", fmt.Errorf("confirmation code: %w", err)
		}
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		// Reject the top partial range so every code is equally likely.
		if v < (1<<32)/n*n {
			return fmt.Sprintf("%0*d", confirmCodeDigits, v%n), nil
		}
	}
}

// confirmMAC binds a code to its user under the server's run key, so
// memory holds no code.
func (s *Server) confirmMAC(username, code string) [sha256.Size]byte {
	m := hmac.New(sha256.New, s.fakeKey)
	fmt.Fprintf(m, "confirm\x00%s\x00%s", username, code)
	var out [sha256.Size]byte
	copy(out[:], m.Sum(nil))
	return out
}

type resendInput struct {
	cognitowire.ClientRequest
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// resendConfirmationCode sends a new sign-up code to an unconfirmed user.
// With PreventUserExistenceErrors an unknown user gets the answer a known
// one would (the masked number asked for), and no SMS.
func (s *Server) resendConfirmationCode(ctx context.Context, in resendInput) (any, *apiError) {
	if in.Username == "" {
		return nil, missing("username")
	}
	if !s.sendsConfirmation() {
		return nil, errorf(errInvalidParameter, "Cannot resend codes. Auto verification not turned on.")
	}
	u, ok := s.users.lookup(in.Username)
	switch {
	case !ok && s.cfg.RevealUserExistence:
		return nil, errorf(errUserNotFound, "Username/client id combination not found.")
	case !ok:
		return deliveryResult(smsDelivery(in.Username)), nil
	case u.Status != statusUnconfirmed:
		return nil, errorf(errInvalidParameter, "User is already confirmed.")
	}
	d, aerr := s.sendConfirmation(ctx, u.Username, sourceSMSResendCode, in.ClientID, in.ClientMetadata)
	if aerr != nil {
		return nil, aerr
	}
	return deliveryResult(d), nil
}

func deliveryResult(d *codeDelivery) any {
	return struct {
		CodeDeliveryDetails *codeDelivery `json:"CodeDeliveryDetails"`
	}{d}
}

type confirmSignUpInput struct {
	cognitowire.ClientRequest
	Username         string `json:"Username"`
	ConfirmationCode string `json:"ConfirmationCode"`
}

// confirmSignUp checks a sign-up code: each wrong answer is counted under
// the directory's lock before the next is judged, and MaxConfirmFailures
// of them void the code. The right one confirms the user and marks the
// number verified, once. In a pool that sends no codes (PreSignUp
// confirms) no code can match.
func (s *Server) confirmSignUp(_ context.Context, in confirmSignUpInput) (any, *apiError) {
	switch {
	case in.Username == "":
		return nil, missing("username")
	case in.ConfirmationCode == "":
		return nil, missing("confirmationCode")
	}
	u, ok := s.users.lookup(in.Username)
	switch {
	case !ok && s.cfg.RevealUserExistence:
		return nil, errorf(errUserNotFound, "Username/client id combination not found.")
	case !ok:
		return nil, errorf(errCodeMismatch, msgCodeMismatch)
	case u.Status != statusUnconfirmed:
		return nil, errorf(errNotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	case !s.sendsConfirmation():
		return nil, errorf(errCodeMismatch, msgCodeMismatch)
	}
	var aerr *apiError
	_, err := s.users.update(u.Username, func(u *user) error {
		aerr = s.judge(u, in.ConfirmationCode)
		return nil
	})
	if err != nil {
		return nil, errorf(errUserNotFound, msgUserNotExist)
	}
	if aerr != nil {
		return nil, aerr
	}
	return struct{}{}, nil
}

const msgCodeMismatch = "Invalid verification code provided, please try again."

// judge answers one confirmation attempt on u, under the lock.
func (s *Server) judge(u *user, answer string) *apiError {
	c := &u.confirm
	switch {
	case u.Status != statusUnconfirmed:
		return errorf(errNotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	case c.expires.IsZero():
		return errorf(errCodeMismatch, msgCodeMismatch)
	case c.failures >= MaxConfirmFailures:
		return errorf(errLimitExceeded, msgAttemptLimit)
	case !s.cfg.Now().Before(c.expires):
		return errorf(errExpiredCode, "Invalid code provided, please request a code again.")
	}
	want := c.mac
	if got := s.confirmMAC(u.Username, answer); !hmac.Equal(got[:], want[:]) {
		c.failures++
		return errorf(errCodeMismatch, msgCodeMismatch)
	}
	u.Status = statusConfirmed
	u.Attributes[attrPhoneVerified] = "true"
	// Used once: the code's record goes with the confirmation.
	u.confirm = confirmation{windowStart: c.windowStart, sent: c.sent}
	return nil
}
