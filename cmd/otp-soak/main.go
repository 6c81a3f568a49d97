// Command otp-soak runs the local stack under load with injected faults
// and reports what happened to every sign-in, every SMS and every log
// line (issue 13): go run ./cmd/otp-soak -duration 10m -rate 4.
// It exits 1 when a goal is missed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/soak"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

func main() {
	cfg := soak.DefaultConfig()
	flag.DurationVar(&cfg.Duration, "duration", 0, "how long sign-ins start (default 10m)")
	flag.Float64Var(&cfg.Rate, "rate", 0, "sign-ins started per second (default 4)")
	flag.IntVar(&cfg.Clients, "clients", 0, "sign-ins in flight at most (default 32)")
	flag.Float64Var(&cfg.ProviderFaults, "provider-faults", -1, "share of SMS sends that fail (default 0.10)")
	flag.Float64Var(&cfg.StoreFaults, "store-faults", -1, "share of store and queue calls that fail (default 0.05)")
	flag.Uint64Var(&cfg.Seed, "seed", 0, "seed of the faults and the people's choices (default: the clock)")
	simulate := flag.String("simulate-delivery", "", "simulated providers in failover order as `name=share@delay,...` (as otp-local's flag), e.g. a=0.8@2s,b=0.98@1s: each delivers that share of its SMS after the delay and drops the rest, and the worker resends")
	flag.BoolVar(&cfg.KeepLog, "keep-log", false, "keep the stack's log file and print its path")
	flag.Parse()
	if *simulate != "" {
		sims, err := localstack.ParseSimulation(*simulate)
		if err != nil {
			fmt.Fprintln(os.Stderr, "otp-soak:", err)
			os.Exit(2)
		}
		cfg.Simulate = sims
	}
	cfg.Progress = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := soak.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "otp-soak:", err)
		os.Exit(2)
	}
	rep.Write(os.Stdout)
	if rep.LogPath != "" {
		fmt.Fprintln(os.Stderr, "log:", rep.LogPath)
	}
	if len(rep.Problems()) > 0 {
		os.Exit(1)
	}
}
