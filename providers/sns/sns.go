package sns

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// name is what Name returns and what every Receipt and Error carries.
const name = "sns"

// Name is the provider's name in SMS_PROVIDERS and in delivery receipts.
const Name = name

// Message attribute names and data types, from the SNS Developer Guide
// ("Publishing to a mobile phone"). MaxPrice is a Number; the rest are Strings.
const (
	attrSMSType           = "AWS.SNS.SMS.SMSType"
	attrSenderID          = "AWS.SNS.SMS.SenderID"
	attrOriginationNumber = "AWS.MM.SMS.OriginationNumber"
	attrMaxPrice          = "AWS.SNS.SMS.MaxPrice"
	attrEntityID          = "AWS.MM.SMS.EntityId"
	attrTemplateID        = "AWS.MM.SMS.TemplateId"

	// smsTypeTransactional is for "critical messages that support customer
	// transactions, such as one-time passcodes".
	smsTypeTransactional = "Transactional"
)

// PublishAPI is the one call Provider makes; *sns.Client has it.
type PublishAPI interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var (
	_ PublishAPI         = (*sns.Client)(nil)
	_ providers.Provider = (*Provider)(nil)
)

// Provider sends SMS with SNS Publish. It is safe for concurrent use.
type Provider struct {
	client PublishAPI
	attrs  map[string]types.MessageAttributeValue // read-only after New
}

// New checks cfg and returns a Provider that publishes through client.
func New(client PublishAPI, cfg Config) (*Provider, error) {
	if client == nil {
		return nil, errors.New("sns: nil PublishAPI client")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sns: %w", err)
	}
	attrs := map[string]types.MessageAttributeValue{
		attrSMSType: stringAttr(smsTypeTransactional),
	}
	if cfg.SenderID != "" {
		attrs[attrSenderID] = stringAttr(cfg.SenderID)
	}
	if cfg.OriginationNumber != "" {
		attrs[attrOriginationNumber] = stringAttr(cfg.OriginationNumber)
	}
	if cfg.MaxPrice != "" {
		attrs[attrMaxPrice] = types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(cfg.MaxPrice)}
	}
	if cfg.DLTEntityID != "" { // Validate: both or neither
		attrs[attrEntityID] = stringAttr(cfg.DLTEntityID)
		attrs[attrTemplateID] = stringAttr(cfg.DLTTemplateID)
	}
	return &Provider{client: client, attrs: attrs}, nil
}

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

// Name returns "sns".
func (p *Provider) Name() string { return name }

// e164 is the shape SNS wants for PhoneNumber: "+", country code, up to 15
// digits in all (^\+[1-9][0-9]{1,14}$). The phone package has done the real
// validation; this only keeps a malformed value from reaching SNS, which
// would echo it back.
func e164(s string) bool { return charclass.PlusNumber(s, 1, 14) }

// Send publishes m.Body to m.To. A nil error means SNS accepted the message
// (not that it was delivered); the Receipt holds SNS's MessageId, which is
// empty only if SNS answered 200 without one. Errors are *providers.Error.
func (p *Provider) Send(ctx context.Context, m providers.Message) (providers.Receipt, error) {
	if !e164(m.To) {
		return providers.Receipt{}, &providers.Error{
			Provider: name,
			Kind:     providers.Permanent,
			Err:      errors.New("destination is not an E.164 number"),
		}
	}
	out, err := p.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(m.To),
		Message:           aws.String(m.Body),
		MessageAttributes: maps.Clone(p.attrs),
	})
	if err != nil {
		return providers.Receipt{}, classify(err, m)
	}
	return providers.Receipt{Provider: name, MessageID: aws.ToString(out.MessageId)}, nil
}
