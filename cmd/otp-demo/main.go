// Command otp-demo runs one phone sign-in through the real trigger handlers
// on one machine, with the in-memory store and queue: PreSignUp (which
// judges the number by the numbering plan, as at a real sign-up), Define, Create (the
// sealed SMS lands on the queue), the SMS worker (its console provider
// prints the SMS), your answer, Verify, Define again. No AWS account is
// needed.
//
//	go run ./cmd/otp-demo                  # type the code it prints
//	go run ./cmd/otp-demo -auto            # answers by itself (CI, scripts)
//	go run ./cmd/otp-demo -phone +919876543210
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
