package triggers_test

import (
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
)

func TestPreSignUp(t *testing.T) {
	confirm := events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true}
	tests := []struct {
		fixture string
		want    events.CognitoEventUserPoolsPreSignupResponse
		refusal string
	}{
		{fixture: "mobile.json", want: confirm},
		{fixture: "admin-create.json", want: confirm},
		{fixture: "external.json", want: events.CognitoEventUserPoolsPreSignupResponse{}},
		{fixture: "external-no-phone.json", want: events.CognitoEventUserPoolsPreSignupResponse{}},
		{fixture: "no-phone.json", refusal: "OTP_NUMBER_NOT_ALLOWED"},
		{fixture: "landline.json", refusal: "OTP_NUMBER_NOT_ALLOWED"},
		{fixture: "country-not-allowed.json", refusal: "OTP_COUNTRY_NOT_ALLOWED"},
		// Finding 2 of the adversarial run: +330612345678 signed up while
		// +33612345678 existed, one phone as two accounts.
		{fixture: "not-canonical-leading-zero.json", refusal: "OTP_NUMBER_NOT_CANONICAL canonical=+33612345678"},
		{fixture: "not-canonical-separators.json", refusal: "OTP_NUMBER_NOT_CANONICAL canonical=+14155550123"},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			logs := &syncBuffer{}
			h := presignup.New(phone.Policy{AllowedCountries: []string{"US", "GB", "FR"}},
				triggers.Env{Log: slog.New(slog.NewJSONHandler(logs, nil))})
			got, err := invoke(t, h.Handle, fixture(t, "presignup/"+tc.fixture))
			if tc.refusal != "" {
				if err == nil || err.Error() != tc.refusal {
					t.Errorf("error = %v, want %s", err, tc.refusal)
				}
				assertNoNumber(t, logs.String())
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got.Response); d != "" {
				t.Errorf("response (-want +got):\n%s", d)
			}
			if got.Response.AutoVerifyPhone {
				t.Error("a phone number must never be verified at sign-up")
			}
			assertNoNumber(t, logs.String())
		})
	}
	t.Run("malformed.json", func(t *testing.T) {
		h := presignup.New(phone.Policy{}, triggers.Env{})
		if _, err := invoke(t, h.Handle, fixture(t, "presignup/malformed.json")); err == nil {
			t.Error("malformed event accepted")
		}
	})
}
