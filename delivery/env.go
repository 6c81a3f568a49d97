package delivery

import (
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
)

// Variables ConfigFromEnv reads (the sms-worker and sms-receipts functions
// both read them: one records sends, the other receipts, in the same windows).
const (
	EnvWindow = "SMS_DELIVERY_WINDOW"
	EnvShards = "SMS_DELIVERY_SHARDS"
)

// ConfigFromEnv reads the delivery tallies' settings into DefaultConfig;
// problems are collected in e, each naming its variable.
func ConfigFromEnv(e *config.Env) Config {
	c := DefaultConfig()
	c.Window = e.Duration(EnvWindow, c.Window, MinWindow, MaxWindow)
	if (24*time.Hour)%c.Window != 0 {
		e.Fail(EnvWindow, "must divide a day evenly (1m, 5m, 15m, 1h, ...)")
		c.Window = DefaultConfig().Window
	}
	c.Shards = e.Int(EnvShards, c.Shards, 1, MaxShards)
	return c
}
