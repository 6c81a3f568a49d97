package esdk

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

// ValidKeyARN accepts exactly what the regexp it replaces accepted.
func TestValidKeyARNIsThePattern(t *testing.T) {
	charclasstest.Same(t, `^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`, ValidKeyARN, 180,
		"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
		"arn:aws:kms:a:123456789012:key/k")
}
