package triggers

import (
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// checkSource: see refusal.CheckSource.
func checkSource(s source.Set, log *slog.Logger, triggerSource string) error {
	return refusal.CheckSource(s, log, triggerSource)
}
