package schema_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// A check can carry a version 2 job as the trigger enqueued it: its code
// stays sealed, and only a job with a code gets one.
func TestCognitoCheck(t *testing.T) {
	kr := mustKeyring(t, secretNew)
	created := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, kind := range schema.CognitoKinds {
		t.Run(kind, func(t *testing.T) {
			secret := cognitoSecret(kind, "493817", "Temp-Pass-1")
			job, err := schema.NewCognitoSMS(kr, kind, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", secret, created, created.Add(3*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			job.Country = "US"
			body, err := schema.NewCognitoCheck(job, "twilio", "SM0123456789abcdef0123456789abcdef")
			if !job.CarriesCode() {
				if !errors.Is(err, schema.ErrMalformed) {
					t.Fatalf("a check for a %s job: %v, want refused", kind, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(body), "493817") {
				t.Fatal("the check holds the code in the open")
			}
			if !schema.IsCheck(body) || !schema.IsCognitoCheck(body) || schema.IsCognitoSMS(body) {
				t.Fatal("a Cognito check is not told apart")
			}
			if _, _, err := schema.DecodeCheck(body); err == nil {
				t.Error("DecodeCheck took a version 2 job")
			}
			chk, got, err := schema.DecodeCognitoCheck(body)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(job, got); d != "" {
				t.Errorf("job (-sent +decoded):\n%s", d)
			}
			if chk.Provider != "twilio" || chk.ProviderMessageID != "SM0123456789abcdef0123456789abcdef" {
				t.Errorf("check %+v", chk)
			}
			if s, err := got.Open(kr); err != nil || s.Code != "493817" {
				t.Errorf("Open = %+v, %v", s, err)
			}
		})
	}
}

func TestDecodeCognitoCheckRefuses(t *testing.T) {
	kr := mustKeyring(t, secretNew)
	created := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	v1 := mustMessage(t, kr, "493817", created, created.Add(3*time.Minute))
	v1check, err := schema.NewCheck(v1, "sns", "m1")
	if err != nil {
		t.Fatal(err)
	}
	if schema.IsCognitoCheck(v1check) {
		t.Error("a check of a v1 job read as a Cognito check")
	}
	notice, err := schema.NewCognitoSMS(kr, schema.KindAccountTakeOver, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", schema.CognitoSecret{}, created, created.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := notice.Encode()
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"job a v1":         string(v1check),
		"job with no code": `{"version":3,"job":` + string(raw) + `,"provider":"sns","providerMessageId":"m1"}`,
		"no job":           `{"version":3,"provider":"sns","providerMessageId":"m1"}`,
		"trailing data":    `{"version":3,"job":` + string(raw) + `,"provider":"sns","providerMessageId":"m1"}{}`,
		"bad provider":     `{"version":3,"job":` + string(raw) + `,"provider":"SNS","providerMessageId":"m1"}`,
	}
	for name, b := range bodies {
		if _, _, err := schema.DecodeCognitoCheck([]byte(b)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
