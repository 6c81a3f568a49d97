// Package faultproxy is a test helper: an HTTP reverse proxy that sits
// between a client and a local server (DynamoDB Local, fauxqs, a provider
// fake) and disturbs a seeded share of the requests the way a network and
// AWS do: 5xx answers, throttling errors with the service's real error
// codes and bodies, added latency, a connection reset after the server
// applied the request, and an answer cut short. Tests only: it never runs
// in a Lambda function or in the local stack.
//
// Point a client's endpoint at Proxy.URL:
//
//	p := faultproxy.Start(t, testenv.DynamoDBEndpoint(t), faultproxy.Config{
//		Protocol: faultproxy.DynamoDB, Seed: 1, Rate: 0.2,
//	})
//	db := dynamodb.New(dynamodb.Options{BaseEndpoint: aws.String(p.URL), ...})
//	...
//	t.Log("dynamodb faults:", p.Stats())
//
// Set changes the rate or kinds mid-test (a provider down, then back);
// Stats counts requests, forwarded requests and faults by kind and
// operation. Config.Hold (a Gate) holds one chosen request until the test
// releases it, then forwards it even if its client has given up: a write
// that lands after what the client did next.
package faultproxy
