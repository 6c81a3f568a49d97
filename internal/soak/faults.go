package soak

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// Fault is what happens to one call.
type Fault int

const (
	// None: the call goes through.
	None Fault = iota
	// Before: the call never reaches the part (throttled, refused, a
	// connection that failed to open); nothing was done.
	Before
	// After: the part did the work but its answer was lost (a connection
	// reset after the request was sent, a timeout): the caller sees an
	// error for work that happened.
	After
)

func (f Fault) String() string {
	return [...]string{"none", "before", "after"}[f]
}

// Faults decides each call's fate. The soak's wrappers ask it before every
// store, queue and provider call; an HTTP fault proxy in front of real
// servers can stand behind the same interface.
type Faults interface {
	// Decide returns the fault for a call to op ("store.PutChallenge",
	// "queue.Enqueue", "provider.Send") and the error the caller sees.
	Decide(op string) (Fault, error)
}

// Random injects faults at a rate per part: each call fails with
// probability Rate(part), half of the failures before the call and half
// after. It counts what it injected per operation.
type Random struct {
	mu     sync.Mutex
	rates  map[string]float64 // by part: "store", "queue", "provider"
	rnd    *rand.Rand
	counts map[string]map[Fault]int
}

// NewRandom injects faults at rates by part, from seed.
func NewRandom(seed uint64, rates map[string]float64) *Random {
	return &Random{rates: rates, rnd: rand.New(rand.NewPCG(seed, 13)), counts: map[string]map[Fault]int{}}
}

// Decide implements Faults.
func (r *Random) Decide(op string) (Fault, error) {
	part, _, _ := cut(op)
	r.mu.Lock()
	defer r.mu.Unlock()
	f := None
	if x := r.rnd.Float64(); x < r.rates[part] {
		f = Before
		if x < r.rates[part]/2 {
			f = After
		}
	}
	if r.counts[op] == nil {
		r.counts[op] = map[Fault]int{}
	}
	r.counts[op][f]++
	if f == None {
		return None, nil
	}
	return f, errorFor(part, f, r.rnd.IntN(3))
}

// Counts is how many calls of each operation got each fault.
func (r *Random) Counts() map[string]map[Fault]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]map[Fault]int{}
	for op, m := range r.counts {
		out[op] = map[Fault]int{}
		for f, n := range m {
			out[op][f] = n
		}
	}
	return out
}

func cut(op string) (part, name string, ok bool) {
	for i := range op {
		if op[i] == '.' {
			return op[:i], op[i+1:], true
		}
	}
	return op, "", false
}

// errorFor is an error of the kind the real part gives: AWS's throttling
// codes for DynamoDB and SQS, a provider's throttling or 5xx, and for a
// lost answer a connection reset.
func errorFor(part string, f Fault, pick int) error {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	if f == After {
		if part == "provider" {
			return &providers.Error{Provider: "console", Kind: providers.Transient, Err: fmt.Errorf("answer lost: %w", reset)}
		}
		return fmt.Errorf("injected: %w", reset)
	}
	switch part {
	case "store":
		return fmt.Errorf("injected: %w", []error{
			&types.ProvisionedThroughputExceededException{Message: ptr("The level of configured provisioned throughput for the table was exceeded.")},
			&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput.", Fault: smithy.FaultClient},
			&smithy.GenericAPIError{Code: "InternalServerError", Message: "Internal server error", Fault: smithy.FaultServer},
		}[pick])
	case "queue":
		return fmt.Errorf("injected: %w", []error{
			&smithy.GenericAPIError{Code: "RequestLimitExceeded", Message: "Request limit exceeded.", Fault: smithy.FaultClient},
			&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded", Fault: smithy.FaultClient},
			&smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "Service unavailable", Fault: smithy.FaultServer},
		}[pick])
	case "provider":
		return &providers.Error{Provider: "console", Kind: providers.Transient, Code: []string{"20429", "500", "503"}[pick],
			Err: errors.New("injected")}
	}
	return fmt.Errorf("injected fault in %s", part)
}

func ptr[T any](v T) *T { return &v }
