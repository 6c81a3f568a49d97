package schema_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	compileErr  error
)

// messageSchema compiles the embedded message.v1.schema.json with format
// assertions on, so "format": "date-time" is checked rather than only
// annotated (JSON Schema 2020-12 treats format as an annotation by default).
// Content keywords (contentEncoding) stay annotations, as the draft says.
func messageSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	compileOnce.Do(func() { compiled, compileErr = compileSchema(schema.MessageV1JSONSchema) })
	if compileErr != nil {
		t.Fatalf("compile message.v1.schema.json: %v", compileErr)
	}
	return compiled
}

// compileSchema compiles the embedded schema raw, with the schemas it
// refers to as resources, format assertions on (as messageSchema says).
func compileSchema(raw []byte, refs ...[]byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	var id string
	for _, r := range slices.Concat(refs, [][]byte{raw}) {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(r))
		if err != nil {
			return nil, err
		}
		id, _ = doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(id)
}

// schemaShape is an embedded schema's root, and its top-level properties
// and required list, sorted.
func schemaShape(t *testing.T, raw []byte) (root map[string]any, props, required []string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	root = doc.(map[string]any)
	for k := range root["properties"].(map[string]any) {
		props = append(props, k)
	}
	for _, r := range root["required"].([]any) {
		required = append(required, r.(string))
	}
	slices.Sort(props)
	slices.Sort(required)
	return root, props, required
}

// jsonFields are T's JSON field names, sorted, and those the encoder never
// leaves out (not omitempty).
func jsonFields[T any]() (fields, mandatory []string) {
	typ := reflect.TypeFor[T]()
	for i := range typ.NumField() {
		name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
		if opts != "omitempty" {
			mandatory = append(mandatory, name)
		}
	}
	slices.Sort(fields)
	slices.Sort(mandatory)
	return fields, mandatory
}

// schemaCheck validates body against the JSON Schema; a body that is not one
// JSON document fails too.
func schemaCheck(t *testing.T, body []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return messageSchema(t).Validate(inst)
}

func TestMessageSchemaCompiles(t *testing.T) {
	messageSchema(t)
}

// TestMessageSchemaMatchesStruct checks that the schema's properties and
// required list are exactly Message's JSON field names.
func TestMessageSchemaMatchesStruct(t *testing.T) {
	root, props, required := schemaShape(t, schema.MessageV1JSONSchema)
	// Every field is a property; the ones the encoder may leave out
	// (omitempty) are the only ones not required.
	fields, mandatory := jsonFields[schema.Message]()
	if diff := cmp.Diff(fields, props); diff != "" {
		t.Errorf("schema properties differ from Message fields (-struct +schema):\n%s", diff)
	}
	if diff := cmp.Diff(mandatory, required); diff != "" {
		t.Errorf("schema required list differs from Message fields (-struct +schema):\n%s", diff)
	}
	if root["additionalProperties"] != false {
		t.Errorf("additionalProperties = %v, want false (the decoder refuses unknown fields)", root["additionalProperties"])
	}
}
