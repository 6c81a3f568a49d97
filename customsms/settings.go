package customsms

import (
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/customsms/esdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/cognitowire"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// Variables only this function reads.
const (
	EnvKMSKeyARN      = "OTP_KMS_KEY_ARN"       // the pool's KMS key (LambdaConfig.KMSKeyID), as an ARN
	EnvDeliveryWindow = "OTP_CUSTOM_SMS_WINDOW" // how long a job may wait for delivery
	EnvUserPoolID     = "OTP_USER_POOL_ID"      // optional: refuse events of any other pool
)

// Settings is everything the custom-sms-sender main wires.
type Settings struct {
	Table    string
	QueueURL string
	Secret   config.Secret
	KeyARN   string
	Handler  Config
	LogLevel slog.Level
}

// FromEnv reads the table, queue and secret (as Create does), the KMS key
// ARN, the delivery window, the optional pool id, and the variables it
// shares with Create (triggers.SendSettingsFromEnv: send caps, phone
// policy, default locale, deadline), so both apply one policy; none of
// Create's code policy or test numbers. Errors name each bad variable.
func FromEnv(getenv func(string) string) (Settings, error) {
	e := config.New(getenv)
	tc := triggers.SendSettingsFromEnv(e)
	s := Settings{
		Table:    e.Required(config.EnvTable),
		QueueURL: e.Required(config.EnvQueueURL),
		Secret:   e.Secret(),
		KeyARN:   e.Required(EnvKMSKeyARN),
		Handler: Config{
			Caps:           tc.Caps,
			Phone:          tc.Phone,
			DefaultLocale:  tc.DefaultLocale,
			Deadline:       tc.Deadline,
			DeliveryWindow: e.Duration(EnvDeliveryWindow, DefaultDeliveryWindow, 30e9, schema.MaxCognitoDeliveryWindow),
			UserPoolID:     e.Raw(EnvUserPoolID),
		},
		LogLevel: e.LogLevel(),
	}
	if s.KeyARN != "" && !esdk.ValidKeyARN(s.KeyARN) {
		e.Fail(EnvKMSKeyARN, "must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id> (not an alias)")
	}
	if p := s.Handler.UserPoolID; p != "" && !cognitowire.ValidPoolID(p) {
		e.Fail(EnvUserPoolID, "must be a user pool id such as us-east-1_AbCdEf123")
	}
	return s, e.Err()
}
