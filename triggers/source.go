package triggers

import (
	"log/slog"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

// checkSource refuses, with OTP_BAD_REQUEST, an event whose triggerSource
// is not one of this trigger's (a missing one included).
func checkSource(s source.Set, log *slog.Logger, triggerSource string) error {
	if s.Has(triggerSource) {
		return nil
	}
	log.Warn("event meant for another trigger", "trigger", s.Trigger, "triggerSource", source.Loggable(triggerSource))
	return refuse(CodeBadRequest)
}
