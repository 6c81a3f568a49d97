package schema

import _ "embed"

// MessageV1JSONSchema is the JSON Schema of a version 1 queue message, for
// consumers in other languages and for tests.
//
//go:embed message.v1.schema.json
var MessageV1JSONSchema []byte

// CognitoSMSV2JSONSchema is the JSON Schema of a version 2 queue message
// (an SMS the user pool asked for through its Custom SMS Sender trigger).
//
//go:embed cognito-sms.v2.schema.json
var CognitoSMSV2JSONSchema []byte
