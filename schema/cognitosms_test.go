package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

func cognitoSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s, err := compileSchema(schema.CognitoSMSV2JSONSchema)
	if err != nil {
		t.Fatalf("compile cognito-sms.v2.schema.json: %v", err)
	}
	return s
}

// cognitoSecret is what Cognito hands the sender for kind: code, or the
// temporary password with the username alice, or nothing (a notice).
func cognitoSecret(kind, code, tempPass string) schema.CognitoSecret {
	switch kind {
	case schema.KindAdminCreateUser:
		return schema.CognitoSecret{Code: tempPass, Username: "alice"}
	case schema.KindAccountTakeOver:
		return schema.CognitoSecret{}
	}
	return schema.CognitoSecret{Code: code}
}

func TestCognitoSMSRoundTrip(t *testing.T) {
	kr := mustKeyring(t, "0123456789abcdef0123456789abcdef")
	created := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	sch := cognitoSchema(t)
	for _, kind := range schema.CognitoKinds {
		t.Run(kind, func(t *testing.T) {
			secret := cognitoSecret(kind, "123456", "Tmp#Pass w0rd!")
			m, err := schema.NewCognitoSMS(kr, kind, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "pt-BR", secret, created, created.Add(10*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			body, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(body, []byte("123456")) || bytes.Contains(body, []byte("alice")) {
				t.Fatalf("secret in plaintext: %s", body)
			}
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
			if err := sch.Validate(inst); err != nil {
				t.Fatalf("schema: %v", err)
			}
			if !schema.IsCognitoSMS(body) {
				t.Fatal("IsCognitoSMS = false")
			}
			got, err := schema.DecodeCognitoSMS(body)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(m, got); diff != "" {
				t.Fatalf("decode (-want +got):\n%s", diff)
			}
			opened, err := got.Open(kr)
			if err != nil {
				t.Fatal(err)
			}
			if opened != secret {
				t.Fatal("opened secret differs")
			}
		})
	}
}

// Every unsealed field is bound: changing one makes the secret unopenable.
func TestCognitoSMSTamper(t *testing.T) {
	kr := mustKeyring(t, "0123456789abcdef0123456789abcdef")
	m := signUpJob(t, kr)
	for name, change := range map[string]func(*schema.CognitoSMS){
		"kind":      func(m *schema.CognitoSMS) { m.Kind = schema.KindForgotPassword },
		"to":        func(m *schema.CognitoSMS) { m.To = "+14155550124" },
		"jobId":     func(m *schema.CognitoSMS) { m.JobID = strings.Repeat("c", 32) },
		"locale":    func(m *schema.CognitoSMS) { m.Locale = "es" },
		"expiresAt": func(m *schema.CognitoSMS) { m.ExpiresAt = m.ExpiresAt.Add(time.Minute) },
	} {
		t.Run(name, func(t *testing.T) {
			c := m
			change(&c)
			if _, err := c.Open(kr); err == nil {
				t.Fatal("opened a tampered message")
			}
		})
	}
}

func TestDecodeCognitoSMSRefuses(t *testing.T) {
	kr := mustKeyring(t, "0123456789abcdef0123456789abcdef")
	created := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	m, err := schema.NewCognitoSMS(kr, schema.KindSignUp, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", schema.CognitoSecret{Code: "123456"}, created, created.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := m.Encode()
	var obj map[string]any
	_ = json.Unmarshal(good, &obj)
	with := func(k string, v any) []byte {
		o := map[string]any{}
		for kk, vv := range obj {
			o[kk] = vv
		}
		if v == nil {
			delete(o, k)
		} else {
			o[k] = v
		}
		b, _ := json.Marshal(o)
		return b
	}
	for name, body := range map[string][]byte{
		"unknown kind":  with("kind", "welcome"),
		"unknown field": with("extra", 1),
		"case-folded":   append(with("to", nil)[:len(with("to", nil))-1], []byte(`,"To":"+14155550123"}`)...),
		"window":        with("expiresAt", created.Add(time.Hour).Format(time.RFC3339)),
		"trailing":      append(append([]byte{}, good...), []byte(`{}`)...),
		"not JSON":      []byte(`nope`),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := schema.DecodeCognitoSMS(body); !errors.Is(err, schema.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

// A v1 message is not a Cognito SMS and still decodes as v1.
func TestV1IsNotCognitoSMS(t *testing.T) {
	kr := mustKeyring(t, "0123456789abcdef0123456789abcdef")
	created := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	m, err := schema.NewMessage(kr, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", "123456", created, created.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := m.Encode()
	if schema.IsCognitoSMS(body) {
		t.Fatal("v1 taken for v2")
	}
	if _, err := schema.DecodeMessage(body); err != nil {
		t.Fatal(err)
	}
}

// A Cognito job's country survives the wire and is outside the seal, as a
// v1 message's; a malformed one is refused.
func TestCognitoSMSCountry(t *testing.T) {
	kr := mustKeyring(t, "0123456789abcdef0123456789abcdef")
	m := signUpJob(t, kr)
	m.Country = "IN"
	body, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err := cognitoSchema(t).Validate(inst); err != nil {
		t.Fatalf("schema: %v", err)
	}
	got, err := schema.DecodeCognitoSMS(body)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Fatalf("decode (-want +got):\n%s", diff)
	}
	got.Country = "GB"
	if s, err := got.Open(kr); err != nil || s.Code != "123456" {
		t.Fatalf("with another country Open = %+v, %v", s, err)
	}
	for _, bad := range []string{`"in"`, `""`, `null`, `"IND"`} {
		b := bytes.Replace(body, []byte(`"country":"IN"`), []byte(`"country":`+bad), 1)
		if _, err := schema.DecodeCognitoSMS(b); !errors.Is(err, schema.ErrMalformed) {
			t.Errorf("country %s: %v, want ErrMalformed", bad, err)
		}
		if inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b)); cognitoSchema(t).Validate(inst) == nil {
			t.Errorf("country %s: the JSON Schema accepts it", bad)
		}
	}
}

// signUpJob is a sign-up code's job for +14155550123, created at a fixed
// time, with a minute to be delivered.
func signUpJob(t *testing.T, kr *otp.Keyring) schema.CognitoSMS {
	t.Helper()
	created := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	m, err := schema.NewCognitoSMS(kr, schema.KindSignUp, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", schema.CognitoSecret{Code: "123456"}, created, created.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
