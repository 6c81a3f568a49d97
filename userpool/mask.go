package userpool

import "github.com/cognito-phone-otp/cognito-phone-otp/phone/mask"

// SafeUsername returns username for logs and errors: see mask.Username.
func SafeUsername(username string) string { return mask.Username(username) }
