package store

import "time"

// Retention is how long an item outlives its use before it may be removed:
// TTL in DynamoDB (which deletes within about two days of it), a sweep in
// memory. Neither store trusts an item past its own expiry fields.
const Retention = time.Hour
