package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/customsms/esdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/idp"
)

// Variables the sign-up confirmation by SMS reads (ConfirmSignUpBySMS).
const (
	// EnvKMSEndpoint is the SDK's own variable for KMS's endpoint; the
	// stack reads it too, to make a key only in a local KMS.
	EnvKMSEndpoint = "AWS_ENDPOINT_URL_KMS"
	// EnvKMSKeyARN names the pool's key (customsms.EnvKMSKeyARN); unset,
	// the stack makes one in the local KMS at start.
	EnvKMSKeyARN = customsms.EnvKMSKeyARN
)

// customSender is the pool's Custom SMS Sender: the real trigger, and the
// codec with which the local "Cognito" encrypts codes for it.
type customSender struct {
	trigger idp.Handler[idp.CustomSMSEvent]
	codes   *esdk.Codec
	summary string
}

// newCustomSender wires customsms.Handler over the stack's store and queue
// with a KMS keyring on the pool's key, as custom-sms-sender runs in AWS.
func newCustomSender(ctx context.Context, o Options, cfg settings, b *backends, ks triggerKeys) (*customSender, error) {
	awsCfg, err := awsConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	client := kms.NewFromConfig(awsCfg)
	arn, made, err := poolKey(ctx, client, o.Getenv)
	if err != nil {
		return nil, fmt.Errorf("--confirm-sign-up-by-sms: %w", err)
	}
	codes, err := esdk.New(ctx, client, arn)
	if err != nil {
		return nil, fmt.Errorf("--confirm-sign-up-by-sms: %w", err)
	}
	tc := cfg.Triggers
	h, err := customsms.New(customsms.Config{
		Caps: tc.Policy.Caps, Phone: tc.Phone, DefaultLocale: tc.DefaultLocale, Deadline: tc.Deadline,
		DeliveryWindow: customsms.DefaultDeliveryWindow, UserPoolID: o.PoolID,
	}, codes, b.store, b.queue, ks, customsms.Env{Log: o.Log, Now: o.Now})
	if err != nil {
		return nil, err
	}
	note := "KMS key " + arn
	if made {
		note += " (made at start)"
	}
	return &customSender{trigger: asTrigger(h.Handle), codes: codes, summary: note}, nil
}

// poolKey is OTP_KMS_KEY_ARN, or a new key when KMS is a local one: the
// stack never makes a key in an AWS account.
func poolKey(ctx context.Context, client *kms.Client, getenv func(string) string) (arn string, made bool, err error) {
	if arn = getenv(EnvKMSKeyARN); arn != "" {
		if !esdk.ValidKeyARN(arn) {
			return "", false, fmt.Errorf("%s %.80q: want a key ARN, arn:aws:kms:<region>:<account>:key/<id>", EnvKMSKeyARN, arn)
		}
		return arn, false, nil
	}
	if getenv(EnvKMSEndpoint) == "" {
		return "", false, fmt.Errorf("set %s to a local KMS (local-kms, docs/local-stack.md) to have a key made, or %s to a key", EnvKMSEndpoint, EnvKMSKeyARN)
	}
	out, err := client.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("otp-local: sign-up codes for the Custom SMS Sender")})
	if err != nil {
		return "", false, fmt.Errorf("create a key at %s: %w", getenv(EnvKMSEndpoint), err)
	}
	return aws.ToString(out.KeyMetadata.Arn), true, nil
}

// asTrigger hands the pool's event to the handler as Lambda would: the
// JSON Cognito sends, decoded into the function's own type. Cognito
// ignores a custom sender's answer; only its error counts.
func asTrigger(h func(context.Context, customsms.Event) (customsms.Event, error)) idp.Handler[idp.CustomSMSEvent] {
	return func(ctx context.Context, ev idp.CustomSMSEvent) (idp.CustomSMSEvent, error) {
		b, err := json.Marshal(ev)
		if err != nil {
			return ev, err
		}
		var in customsms.Event
		if err := json.Unmarshal(b, &in); err != nil {
			return ev, errors.New("decode the custom SMS sender event")
		}
		_, err = h(ctx, in)
		return ev, err
	}
}
