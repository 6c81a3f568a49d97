// Package sns sends one SMS through Amazon SNS (Publish with PhoneNumber) as a
// providers.Provider: Transactional, with the sender ID, origination number,
// maximum price and India DLT ids from Config as message attributes.
//
// Every failure comes back as a *providers.Error classified from the SNS error
// code (see classify.go for the table). Its text never holds the destination
// number or the message body: SNS error messages echo the number, so they are
// masked before they are kept. The package never logs and adds no retries of
// its own; whatever retrying the injected client does is the caller's choice
// (the worker's queue is where retries belong, so build the client with
// RetryMaxAttempts 1 unless you accept the SDK retrying a timed-out Publish,
// which can text the user twice).
package sns
