// Package routing decides, per destination country, the order in which the
// worker's provider chain tries its SMS providers: the operator's plan (the
// environment, optionally overridden at run time by an SSM parameter),
// re-ranked by measured delivery once the delivery tallies hold enough
// receipts, with a small exploration share so a provider that recovers is
// learned again. It sends nothing and imports no AWS SDK: the tallies and
// the parameter come in through interfaces defined here.
package routing
