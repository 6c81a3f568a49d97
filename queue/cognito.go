package queue

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// AttrKind is the message attribute naming a version 2 job's kind.
const AttrKind = "kind"

// EnqueueCognito sends a version 2 job (an SMS the user pool asked for) on
// the same queue as sign-in codes. Errors name the message id, never the
// phone number.
func (q *SQS) EnqueueCognito(ctx context.Context, m schema.CognitoSMS) error {
	body, err := m.Encode()
	if err != nil {
		return fmt.Errorf("enqueue message %s: %w", safeID(m.MessageID), err)
	}
	return q.send(ctx, m.MessageID, body, map[string]Attribute{
		AttrVersion: {DataType: "Number", StringValue: strconv.Itoa(m.Version)},
		AttrKind:    {DataType: "String", StringValue: m.Kind},
	})
}

// EnqueueCognito adds a version 2 job beside the sign-in codes, as SQS
// does; the worker's driver tells the two apart by their bodies.
func (q *Mem) EnqueueCognito(ctx context.Context, m schema.CognitoSMS) error {
	return q.add(ctx, m.MessageID, m.Encode)
}
