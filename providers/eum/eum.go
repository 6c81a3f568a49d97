package eum

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sms "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// Name is the provider's name in SMS_PROVIDERS, SMS_ROUTES and receipts.
const Name = "eum"

// TimeToLive bounds, from the SendTextMessage API reference: 5 seconds to
// 72 hours (the default when unset).
const (
	MinTimeToLive = 5 * time.Second
	MaxTimeToLive = 259200 * time.Second
)

// CodeExpired is the Error.Code of a message not sent because its code
// had less than MinTimeToLive left.
const CodeExpired = "expired"

// SendAPI is the one call Provider makes; *pinpointsmsvoicev2.Client has it.
type SendAPI interface {
	SendTextMessage(ctx context.Context, params *sms.SendTextMessageInput, optFns ...func(*sms.Options)) (*sms.SendTextMessageOutput, error)
}

var (
	_ SendAPI            = (*sms.Client)(nil)
	_ providers.Provider = (*Provider)(nil)
)

// Provider sends SMS with SendTextMessage. It is safe for concurrent use.
type Provider struct {
	client SendAPI
	cfg    Config
	now    func() time.Time
}

// New checks cfg and returns a Provider that sends through client (built
// from awsinit's aws.Config, with one attempt: the queue retries). now is
// the clock for the time-to-live (nil: time.Now).
func New(client SendAPI, cfg Config, now func() time.Time) (*Provider, error) {
	if client == nil {
		return nil, errors.New("eum: nil SendAPI client")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("eum: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Provider{client: client, cfg: cfg, now: now}, nil
}

// Name returns "eum".
func (p *Provider) Name() string { return Name }

// Sender is the rate-limit key: the origination identity.
func (p *Provider) Sender() string { return p.cfg.OriginationIdentity }

// Send sends m.Body to m.To as a TRANSACTIONAL message whose TimeToLive is
// the code's remaining life (at most MaxTimeToLive), so End User Messaging
// stops handing it to carriers once the code is dead (a TEXT_TTL_EXPIRED
// event then says so). A nil error means it accepted the message; the
// Receipt holds its MessageId, which its delivery events name.
func (p *Provider) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	if !charclass.PlusNumber(m.To, 1, 14) {
		return providers.Receipt{}, &providers.Error{Provider: Name, Kind: providers.Permanent, Err: errors.New("destination is not an E.164 number")}
	}
	in := &sms.SendTextMessageInput{
		DestinationPhoneNumber: aws.String(m.To),
		OriginationIdentity:    aws.String(p.cfg.OriginationIdentity),
		MessageBody:            aws.String(m.Body),
		MessageType:            types.MessageTypeTransactional,
	}
	if !m.ExpiresAt.IsZero() {
		left := m.ExpiresAt.Sub(p.now())
		if left < MinTimeToLive {
			return providers.Receipt{}, &providers.Error{Provider: Name, Kind: providers.Permanent, Code: CodeExpired, Err: errors.New("the code expires before the shortest time-to-live; not sent")}
		}
		in.TimeToLive = aws.Int32(int32(min(left, MaxTimeToLive) / time.Second))
	}
	if p.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(p.cfg.ConfigurationSet)
	}
	if p.cfg.ProtectConfigurationID != "" {
		in.ProtectConfigurationId = aws.String(p.cfg.ProtectConfigurationID)
	}
	if p.cfg.MaxPrice != "" {
		in.MaxPrice = aws.String(p.cfg.MaxPrice)
	}
	if p.cfg.DLTEntityID != "" && m.Country == "IN" {
		in.DestinationCountryParameters = map[string]string{
			string(types.DestinationCountryParameterKeyInEntityId):   p.cfg.DLTEntityID,
			string(types.DestinationCountryParameterKeyInTemplateId): p.cfg.DLTTemplateID,
		}
	}
	out, err := p.client.SendTextMessage(ctx, in)
	if err != nil {
		return providers.Receipt{}, classify(err, m)
	}
	return providers.Receipt{Provider: Name, MessageID: aws.ToString(out.MessageId)}, nil
}
