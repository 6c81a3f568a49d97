package schema

import _ "embed"

// CheckV3JSONSchema is the JSON Schema of a version 3 queue message (a
// delivery check). Its job is a version 1 message or a version 2 job with
// a code: compile it with MessageV1JSONSchema and CognitoSMSV2JSONSchema
// added as resources.
//
//go:embed check.v3.schema.json
var CheckV3JSONSchema []byte
