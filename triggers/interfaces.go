package triggers

import (
	"context"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// Store keeps challenges, reuse pointers and send counters. Package
// store/storetest defines its semantics; store/dynamo and store/mem
// implement it.
type Store interface {
	PutChallenge(ctx context.Context, c otp.Challenge, counters []otp.Counter, claim otp.PointerClaim) error
	GetChallenge(ctx context.Context, id string) (otp.Challenge, error)
	VoidChallenge(ctx context.Context, id string) error
	CountAttempt(ctx context.Context, id string, now time.Time) (otp.Challenge, error)
	Consume(ctx context.Context, id, by string) error
	GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error)
}

// ChallengeReader is the read side of Store.
type ChallengeReader interface {
	GetChallenge(ctx context.Context, id string) (otp.Challenge, error)
	GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error)
}

// Queue takes SMS jobs for the worker.
type Queue interface {
	Enqueue(ctx context.Context, m schema.Message) error
}

// Keys yields the keyring for the current server secret.
type Keys interface {
	Keyring(ctx context.Context) (*otp.Keyring, error)
}

// PhoneVerifier marks a user's phone number verified in the user pool.
type PhoneVerifier interface {
	MarkPhoneVerified(ctx context.Context, userPoolID, username string) error
}
