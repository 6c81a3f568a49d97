package schema_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// checkSchema compiles check.v3.schema.json with the v1 and v2 schemas its
// job refers to.
func checkSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s, err := compileSchema(schema.CheckV3JSONSchema, schema.MessageV1JSONSchema, schema.CognitoSMSV2JSONSchema)
	if err != nil {
		t.Fatalf("compile check.v3.schema.json: %v", err)
	}
	return s
}

// TestCheckSchemaMatchesStruct: the schema's properties are exactly
// Check's JSON field names, all required, and no others allowed.
func TestCheckSchemaMatchesStruct(t *testing.T) {
	root, props, required := schemaShape(t, schema.CheckV3JSONSchema)
	fields, _ := jsonFields[schema.Check]()
	if d := cmp.Diff(fields, props); d != "" {
		t.Errorf("properties differ from Check's fields (-struct +schema):\n%s", d)
	}
	if d := cmp.Diff(fields, required); d != "" {
		t.Errorf("required differs from Check's fields (-struct +schema):\n%s", d)
	}
	if root["additionalProperties"] != false {
		t.Errorf("additionalProperties = %v, want false (the decoder refuses unknown fields)", root["additionalProperties"])
	}
	if v := root["properties"].(map[string]any)["version"].(map[string]any)["const"]; v != json.Number("3") && v != float64(schema.CheckVersion) {
		t.Errorf("version const %v (%T), want %d", v, v, schema.CheckVersion)
	}
}

// TestCheckSchemaAgreesWithDecoder: what NewCheck writes the schema
// accepts, and each broken check both the schema and DecodeCheck refuse.
func TestCheckSchemaAgreesWithDecoder(t *testing.T) {
	kr := mustKeyring(t, secretNew)
	created := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	job := mustMessage(t, kr, "493817", created, created.Add(3*time.Minute))
	sch := checkSchema(t)
	valid := func(body string) error {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err != nil {
			return err
		}
		return sch.Validate(inst)
	}
	for _, p := range []struct{ provider, id string }{
		{"twilio", "SM0123456789abcdef0123456789abcdef"},
		{"sns", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"},
		{"eum", "862a8790-60c0-4430-9b2b-658bdexample"},
		{"whatsapp", "MM0123456789abcdef0123456789abcdef"},
		{"console", strings.Repeat("x", 128)},
	} {
		body, err := schema.NewCheck(job, p.provider, p.id)
		if err != nil {
			t.Fatal(err)
		}
		if err := valid(string(body)); err != nil {
			t.Errorf("%s check refused by the schema: %v", p.provider, err)
		}
	}
	good, err := schema.NewCheck(job, "sns", "m1")
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(good, &obj); err != nil {
		t.Fatal(err)
	}
	with := func(k string, v any) string {
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
		return string(b)
	}
	jobWith := func(k string, v any) map[string]any {
		j := map[string]any{}
		for kk, vv := range obj["job"].(map[string]any) {
			j[kk] = vv
		}
		j[k] = v
		return j
	}
	for name, body := range map[string]string{
		"unknown field":                with("extra", 1),
		"version 1":                    with("version", 1),
		"version 4":                    with("version", 4),
		"version as a string":          with("version", "3"),
		"no job":                       with("job", nil),
		"job not an object":            with("job", "x"),
		"job of version 2":             with("job", jobWith("version", 2)),
		"job with an unknown field":    with("job", jobWith("extra", true)),
		"job's number not E.164":       with("job", jobWith("to", "4155550123")),
		"no provider":                  with("provider", nil),
		"provider upper-case":          with("provider", "Twilio"),
		"provider too long":            with("provider", strings.Repeat("a", 33)),
		"no provider message id":       with("providerMessageId", nil),
		"provider message id spaces":   with("providerMessageId", "id with spaces"),
		"provider message id too long": with("providerMessageId", strings.Repeat("x", 129)),
	} {
		if valid(body) == nil {
			t.Errorf("%s: the schema accepts %s", name, body)
		}
		if _, _, err := schema.DecodeCheck([]byte(body)); err == nil {
			t.Errorf("%s: DecodeCheck accepts it", name)
		}
	}
}

// A check may carry a version 2 job (the Custom SMS Sender's) with a code,
// as the worker resends those too; never one with a temporary password or
// without a code.
func TestCheckSchemaCognitoJobs(t *testing.T) {
	kr := mustKeyring(t, "0123456789abcdef0123456789abcdef")
	created := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	sch := checkSchema(t)
	for _, kind := range schema.CognitoKinds {
		secret := schema.CognitoSecret{Code: "123456"}
		switch kind {
		case schema.KindAdminCreateUser:
			secret = schema.CognitoSecret{Code: "Tmp#Pass w0rd!", Username: "alice"}
		case schema.KindAccountTakeOver:
			secret = schema.CognitoSecret{}
		}
		m, err := schema.NewCognitoSMS(kr, kind, strings.Repeat("a", 32), strings.Repeat("b", 32), "+14155550123", "en", secret, created, created.Add(3*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		job, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(schema.Check{Version: schema.CheckVersion, Job: job, Provider: "twilio", ProviderMessageID: "SM0123456789abcdef0123456789abcdef"})
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		err = sch.Validate(inst)
		if carries := kind != schema.KindAdminCreateUser && kind != schema.KindAccountTakeOver; carries != (err == nil) {
			t.Errorf("%s job: schema says %v; want accepted %v", kind, err, carries)
		}
	}
}
