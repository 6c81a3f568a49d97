package schema

import _ "embed"

// MessageV1JSONSchema is the JSON Schema of a version 1 queue message, for
// consumers in other languages and for tests.
//
//go:embed message.v1.schema.json
var MessageV1JSONSchema []byte
