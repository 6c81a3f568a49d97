package dynamo

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store"
)

// Attribute names used in keys, conditions and TTL.
const (
	AttrPK       = "pk"
	AttrID       = "id"
	AttrTTL      = "ttl"
	AttrAttempts = "attempts"
	AttrMax      = "maxAttempts"
	AttrConsumed = "consumed"
	AttrVoided   = "voided"
	AttrExpires  = "expiresAt"
	AttrCount    = "count"
	AttrCreated  = "createdAt"
	AttrChalID   = "challengeId"
	AttrConsBy   = "consumedBy"
	AttrPhone    = "phone"
	AttrDecoy    = "decoy"
	AttrDelivery = "delivery"
	AttrDelivAt  = "deliveryAt"
	AttrDelivN   = "deliveryAttempts"
	AttrDelivBy  = "deliveryProvider"
	AttrDelivID  = "deliveryProviderId"
	AttrDelivVia = "deliveryVia"
	AttrLastTry  = "lastAttempt"
	AttrResendBy = "resendClaim"
)

// Retention is how long an item outlives its use before TTL removes it.
const Retention = store.Retention

// Key prefixes. The prefix is the item kind.
const (
	prefixChallenge = "CH#"
	prefixPointer   = "RU#"
	prefixCounter   = "RL#"
)

// ChallengeItem is a challenge and, once the worker picks it up, its
// delivery claim. Times are Unix milliseconds; TTL is Unix seconds.
type ChallengeItem struct {
	PK          string `dynamodbav:"pk"`
	ID          string `dynamodbav:"id"`
	Phone       string `dynamodbav:"phone"`
	PoolPhone   string `dynamodbav:"poolPhone,omitempty"`
	Country     string `dynamodbav:"country,omitempty"`
	ClientID    string `dynamodbav:"clientId"`
	KeyID       string `dynamodbav:"keyId"`
	MAC         []byte `dynamodbav:"mac"`
	Locale      string `dynamodbav:"locale"`
	CreatedAt   int64  `dynamodbav:"createdAt"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
	Attempts    int    `dynamodbav:"attempts"`
	MaxAttempts int    `dynamodbav:"maxAttempts"`
	Consumed    bool   `dynamodbav:"consumed"`
	ConsumedBy  string `dynamodbav:"consumedBy,omitempty"`
	Voided      bool   `dynamodbav:"voided"`
	Decoy       bool   `dynamodbav:"decoy"`
	TTL         int64  `dynamodbav:"ttl"`
	// LastAttempt is the token of the last counted answer (CountAttempt),
	// so the SDK's retry of a count whose answer was lost counts once.
	LastAttempt string `dynamodbav:"lastAttempt,omitempty"`
	// ResendClaim is the token of the last resend claim (ClaimResend), so
	// the SDK's retry of a claim whose answer was lost finds it its own.
	ResendClaim string `dynamodbav:"resendClaim,omitempty"`

	// The delivery claim, written only by the worker (states: otp.DeliveryState).
	Delivery           string `dynamodbav:"delivery,omitempty"` // otp.DeliveryState's name; absent for none
	DeliveryAt         int64  `dynamodbav:"deliveryAt,omitempty"`
	DeliveryAttempts   int    `dynamodbav:"deliveryAttempts,omitempty"`
	DeliveryProvider   string `dynamodbav:"deliveryProvider,omitempty"`
	DeliveryProviderID string `dynamodbav:"deliveryProviderId,omitempty"`
	// Every provider that accepted an SMS of it (a string set).
	DeliveryVia []string `dynamodbav:"deliveryVia,stringset,omitempty"`
}

// ChallengeKey is the key of a challenge item.
func ChallengeKey(id string) string { return prefixChallenge + id }

// FromChallenge lays a challenge out as an item.
func FromChallenge(c otp.Challenge) ChallengeItem {
	return ChallengeItem{
		PK:          ChallengeKey(c.ID),
		ID:          c.ID,
		Phone:       c.Phone,
		PoolPhone:   c.PoolPhone,
		Country:     c.Country,
		ClientID:    c.ClientID,
		KeyID:       c.KeyID,
		MAC:         c.MAC,
		Locale:      c.Locale,
		CreatedAt:   c.CreatedAt.UnixMilli(),
		ExpiresAt:   c.ExpiresAt.UnixMilli(),
		Attempts:    c.Attempts,
		MaxAttempts: c.MaxAttempts,
		Consumed:    c.Consumed,
		ConsumedBy:  c.ConsumedBy,
		Voided:      c.Voided,
		Decoy:       c.Decoy,
		TTL:         c.ExpiresAt.Add(Retention).Unix(),

		Delivery:           deliveryName(c.Delivery.State),
		DeliveryAt:         unixMilliOrZero(c.Delivery.At),
		DeliveryAttempts:   c.Delivery.Attempts,
		DeliveryProvider:   c.Delivery.Provider,
		DeliveryProviderID: c.Delivery.ProviderID,
		DeliveryVia:        c.Delivery.Via,
	}
}

// Challenge reads the domain value back.
func (it ChallengeItem) Challenge() otp.Challenge {
	return otp.Challenge{
		ID:          it.ID,
		Phone:       it.Phone,
		PoolPhone:   it.PoolPhone,
		Country:     it.Country,
		ClientID:    it.ClientID,
		KeyID:       it.KeyID,
		MAC:         it.MAC,
		Locale:      it.Locale,
		CreatedAt:   time.UnixMilli(it.CreatedAt).UTC(),
		ExpiresAt:   time.UnixMilli(it.ExpiresAt).UTC(),
		Attempts:    it.Attempts,
		MaxAttempts: it.MaxAttempts,
		Consumed:    it.Consumed,
		ConsumedBy:  it.ConsumedBy,
		Voided:      it.Voided,
		Decoy:       it.Decoy,
		Delivery: otp.Delivery{
			State:      deliveryState(it.Delivery),
			At:         timeOrZero(it.DeliveryAt),
			Attempts:   it.DeliveryAttempts,
			Provider:   it.DeliveryProvider,
			ProviderID: it.DeliveryProviderID,
			Via:        it.DeliveryVia,
		},
	}
}

// deliveryName is how a delivery state is stored: its name, or nothing
// for none, so a challenge no worker picked up has no delivery attribute.
func deliveryName(s otp.DeliveryState) string {
	if s == otp.DeliveryNone {
		return ""
	}
	return s.String()
}

func deliveryState(name string) otp.DeliveryState {
	if name == "" {
		return otp.DeliveryNone
	}
	return otp.ParseDeliveryState(name)
}

func unixMilliOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// PointerItem points from a phone number and app client to the live challenge.
type PointerItem struct {
	PK          string `dynamodbav:"pk"`
	ChallengeID string `dynamodbav:"challengeId"`
	CreatedAt   int64  `dynamodbav:"createdAt"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
	TTL         int64  `dynamodbav:"ttl"`
}

// PointerKey is the key of the reuse pointer for phone and clientID.
func PointerKey(phone, clientID string) string {
	return prefixPointer + phone + "#" + clientID
}

// FromPointer lays a pointer out as an item.
func FromPointer(p otp.Pointer) PointerItem {
	return PointerItem{
		PK:          PointerKey(p.Phone, p.ClientID),
		ChallengeID: p.ChallengeID,
		CreatedAt:   p.CreatedAt.UnixMilli(),
		ExpiresAt:   p.ExpiresAt.UnixMilli(),
		TTL:         p.ExpiresAt.Add(Retention).Unix(),
	}
}

// Pointer reads the domain value back; phone and clientID come from the key.
func (it PointerItem) Pointer(phone, clientID string) otp.Pointer {
	return otp.Pointer{
		Phone:       phone,
		ClientID:    clientID,
		ChallengeID: it.ChallengeID,
		CreatedAt:   time.UnixMilli(it.CreatedAt).UTC(),
		ExpiresAt:   time.UnixMilli(it.ExpiresAt).UTC(),
	}
}

// CounterItem is one fixed-window send counter (or one shard of it).
type CounterItem struct {
	PK    string `dynamodbav:"pk"`
	Count int    `dynamodbav:"count"`
	TTL   int64  `dynamodbav:"ttl"`
}

// CounterKey is the key of a counter: scope, window length, subject, window
// start and shard, so each window of each cap is its own item.
func CounterKey(c otp.Counter) string {
	var b strings.Builder
	b.WriteString(prefixCounter)
	b.WriteString(c.Cap.Scope.String())
	b.WriteByte('#')
	b.WriteString(strconv.FormatInt(int64(c.Cap.Window/time.Second), 10))
	b.WriteByte('#')
	b.WriteString(c.Subject)
	b.WriteByte('#')
	b.WriteString(strconv.FormatInt(c.WindowStart.Unix(), 10))
	b.WriteByte('#')
	b.WriteString(strconv.Itoa(c.Shard))
	return b.String()
}

// CounterTTL is when a counter item may be deleted.
func CounterTTL(c otp.Counter) int64 { return c.WindowEnd().Add(Retention).Unix() }

// CreateTableInput is the table definition: one string hash key, on-demand.
// The deployment template must describe the same table.
func CreateTableInput(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(AttrPK), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(AttrPK), KeyType: types.KeyTypeHash}},
	}
}

// TimeToLiveInput turns on TTL for the table on the ttl attribute.
func TimeToLiveInput(name string) *dynamodb.UpdateTimeToLiveInput {
	return &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(AttrTTL),
			Enabled:       aws.Bool(true),
		},
	}
}

// KeyOf returns the key map for pk.
func KeyOf(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: pk}}
}
