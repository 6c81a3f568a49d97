package triggers_test

import (
	"log/slog"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool/verified"
)

// TestWrongTrigger feeds every trigger each trigger's event, plus events
// of triggers we do not handle and one without a triggerSource: a trigger
// answers only its own sources and refuses the rest with OTP_BAD_REQUEST,
// before it looks at anything else.
func TestWrongTrigger(t *testing.T) {
	events := []struct {
		fixture string
		source  string // the trigger it is meant for; "" for none of ours
	}{
		{"define/empty-session.json", "define"},
		{"create/first-round.json", "create"},
		{"verify/answer.json", "verify"},
		{"presignup/mobile.json", "presignup"},
		{"presignup/admin-create.json", "presignup"},
		{"presignup/external.json", "presignup"},
		{"postauth/unverified.json", "postauth"},
		{"source/pre-authentication.json", ""},
		{"source/post-confirmation.json", ""},
		{"source/no-source.json", ""},
	}
	for _, trigger := range []string{"define", "create", "verify", "presignup", "postauth"} {
		for _, ev := range events {
			t.Run(trigger+"/"+ev.fixture, func(t *testing.T) {
				h := newHarness(t)
				err := runTrigger(t, h, trigger, fixture(t, ev.fixture))
				refused := err != nil && err.Error() == triggers.CodeBadRequest
				if ev.source == trigger && refused {
					t.Errorf("%s refused its own event", trigger)
				}
				if ev.source != trigger && !refused {
					t.Errorf("error = %v, want %s", err, triggers.CodeBadRequest)
				}
				if ev.source != trigger && len(h.inbox()) != 0 {
					t.Error("a refused event enqueued an SMS")
				}
			})
		}
	}
}

// runTrigger invokes one trigger through the Lambda JSON path and returns
// its error.
func runTrigger(t *testing.T, h *harness, trigger string, payload []byte) error {
	t.Helper()
	var err error
	switch trigger {
	case "define":
		_, err = invoke(t, h.define.Handle, payload)
	case "create":
		_, err = invoke(t, h.create.Handle, payload)
	case "verify":
		_, err = invoke(t, h.verify.Handle, payload)
	case "presignup":
		p := presignup.New(phone.Policy{}, triggers.Env{Log: slog.New(slog.DiscardHandler)})
		_, err = invoke(t, p.Handle, payload)
	case "postauth":
		srv := fakecognito.New(t)
		srv.AddPool(fakecognito.Pool{ID: poolID})
		pa, perr := triggers.NewPostAuthentication(verified.New(awsjson.New(srv.AWSConfig(), awsjson.CognitoIdentityProvider)), h.store, 0, triggers.Env{Now: h.clock.Now, Log: slog.New(slog.DiscardHandler)})
		if perr != nil {
			t.Fatal(perr)
		}
		_, err = invoke(t, pa.Handle, payload)
		if n := len(srv.CallsTo("AdminUpdateUserAttributes")); n != 0 && err != nil {
			t.Errorf("a refused event called Cognito %d times", n)
		}
	default:
		t.Fatalf("unknown trigger %s", trigger)
	}
	return err
}
