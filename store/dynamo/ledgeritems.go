package dynamo

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

// Key prefixes of the delivery ledger's items.
const (
	prefixMessage = "DM#"
	prefixTally   = "DT#"
)

// Attribute names of the delivery ledger's items.
const (
	AttrMsgStatus = "status"
	attrSent      = "sent"
	attrDelivered = "delivered"
	attrUndeliv   = "undelivered"
	attrFailed    = "failed"
	attrTTDMs     = "ttdMs"
	// attrCodePrefix + error code counts that code's failures: a top-level
	// attribute each, because ADD cannot create a map and a key in it at once.
	attrCodePrefix = "code#"
)

// MessageItem is one sent SMS, keyed by provider and provider message id,
// pointing at its challenge. Times are Unix milliseconds; TTL Unix seconds.
type MessageItem struct {
	PK          string `dynamodbav:"pk"`
	Provider    string `dynamodbav:"provider"`
	MessageID   string `dynamodbav:"messageId"`
	ChallengeID string `dynamodbav:"challengeId"`
	Country     string `dynamodbav:"country"`
	SentAt      int64  `dynamodbav:"sentAt"`
	Status      string `dynamodbav:"status"`
	StatusAt    int64  `dynamodbav:"statusAt,omitempty"`
	ErrorCode   string `dynamodbav:"errorCode,omitempty"`
	TTL         int64  `dynamodbav:"ttl"`
}

// MessageKey is the key of the message provider sent under id. Provider
// names hold no '#', so the key is unambiguous whatever the id holds.
func MessageKey(provider, id string) string { return prefixMessage + provider + "#" + id }

// FromMessage lays a sent message out as an item kept retention past its send.
func FromMessage(m delivery.Message, retention time.Duration) MessageItem {
	return MessageItem{
		PK:          MessageKey(m.Provider, m.ID),
		Provider:    m.Provider,
		MessageID:   m.ID,
		ChallengeID: m.ChallengeID,
		Country:     m.Country,
		SentAt:      m.SentAt.UnixMilli(),
		Status:      m.Status.String(),
		StatusAt:    unixMilliOrZero(m.StatusAt),
		ErrorCode:   m.ErrorCode,
		TTL:         m.SentAt.Add(retention).Unix(),
	}
}

// Message reads the domain value back; ok is false for a status this
// version does not know (a newer one wrote it), which no receipt may move.
func (it MessageItem) Message() (m delivery.Message, ok bool) {
	status, ok := delivery.ParseStatus(it.Status)
	return delivery.Message{
		Provider:    it.Provider,
		ID:          it.MessageID,
		ChallengeID: it.ChallengeID,
		Country:     it.Country,
		SentAt:      time.UnixMilli(it.SentAt).UTC(),
		Status:      status,
		StatusAt:    timeOrZero(it.StatusAt),
		ErrorCode:   it.ErrorCode,
	}, ok
}

// TallyKey is the key of one shard of provider's tally to country in the
// window starting at start.
func TallyKey(provider, country string, start time.Time, shard int) string {
	var b strings.Builder
	b.WriteString(prefixTally)
	b.WriteString(provider)
	b.WriteByte('#')
	b.WriteString(country)
	b.WriteByte('#')
	b.WriteString(strconv.FormatInt(start.Unix(), 10))
	b.WriteByte('#')
	b.WriteString(strconv.Itoa(shard))
	return b.String()
}

// tallyOf reads a tally shard's counts; attributes it does not know are skipped.
func tallyOf(item map[string]types.AttributeValue) delivery.Tally {
	var t delivery.Tally
	for name, av := range item {
		n, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case attrSent:
			t.Sent = v
		case attrDelivered:
			t.Delivered = v
		case attrUndeliv:
			t.Undelivered = v
		case attrFailed:
			t.Failed = v
		case attrTTDMs:
			t.TimeToDelivered = time.Duration(v) * time.Millisecond
		default:
			if code, ok := strings.CutPrefix(name, attrCodePrefix); ok {
				if t.Codes == nil {
					t.Codes = map[string]int64{}
				}
				t.Codes[code] = v
			}
		}
	}
	return t
}
