// Package schema is the wire layout of version 1 of the queue message, with
// its JSON Schema: what Create enqueues and the worker decodes. It imports
// no AWS package; the DynamoDB item layout lives with its adapter,
// store/dynamo.
package schema
