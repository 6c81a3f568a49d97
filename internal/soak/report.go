package soak

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is what one soak run measured.
type Report struct {
	Config  Config
	Elapsed time.Duration
	// Outcomes counts sign-ins by how they ended; Skipped counts starts
	// the rate asked for while every client was busy.
	Outcomes map[Outcome]int
	Skipped  int
	// Lost are the first lost sign-ins' numbers, masked as the logs mask
	// them, to find their lines in the log (-keep-log).
	Lost []string
	// SMS is every SMS sent; PerCode how many codes got 1, 2, ... SMS;
	// Extra the SMS beyond one per code, by number; Unexplained those
	// beyond the faults in the duplicate window for their number.
	SMS          int
	PerCode      map[int]int
	Extra        map[string]int
	Unexplained  int
	SMSToUnknown int
	// Sends and SendsPerCode are the SMS a provider took, with simulated
	// delivery (Config.Simulate) more than reached the phones: dropped
	// ones and their resends. Without it they are SMS and PerCode.
	Sends        int
	SendsPerCode map[int]int
	// Baseline is before the first sign-in, Samples during the run,
	// Drained after the last sign-in ended and the clients' connections
	// closed.
	Baseline, Drained Sample
	Samples           []Sample
	Faults            map[string]map[Fault]int
	Scan              LeakScan
	LogPath           string
}

// Count is the sign-ins that ended with kind ("ok", "refused", "failed").
func (r *Report) Count(kind string) int {
	n := 0
	for o, c := range r.Outcomes {
		if o.Kind == kind {
			n += c
		}
	}
	return n
}

// Memory is the median RSS of the second quarter of the samples (after
// warm-up) and of the last quarter.
func (r *Report) Memory() (early, late float64) {
	n := len(r.Samples)
	if n < 4 {
		return 0, 0
	}
	med := func(ss []Sample) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = s.RSSMB
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return med(r.Samples[n/4 : n/2]), med(r.Samples[3*n/4:])
}

// maxKeptPerSignIn bounds the live heap a sign-in may leave behind: what
// the local pool keeps by design (a new user, a refresh-token session that
// lives 30 days, each about 1 to 2 kB) and the soak's tally of SMS per code.
const maxKeptPerSignIn = 4096.0

// memoryJudgedFrom is the shortest run whose memory is judged.
const memoryJudgedFrom = 2 * time.Minute

// KeptPerSignIn is the live heap, after the last sign-in and a
// collection, above the baseline, in bytes per sign-in started.
func (r *Report) KeptPerSignIn() float64 {
	if r.Drained.SignIns == 0 {
		return 0
	}
	return (r.Drained.HeapMB - r.Baseline.HeapMB) * (1 << 20) / float64(r.Drained.SignIns)
}

// Problems lists each goal the run missed; none means it passed.
func (r *Report) Problems() []string {
	var p []string
	if n := r.Count("failed"); n > 0 {
		p = append(p, fmt.Sprintf("%d sign-ins lost (neither tokens nor a documented refusal)", n))
	}
	if r.Count("ok") == 0 {
		p = append(p, "no sign-in succeeded")
	}
	if r.SMSToUnknown > 0 {
		p = append(p, fmt.Sprintf("%d SMS to unregistered numbers", r.SMSToUnknown))
	}
	if r.Unexplained > 0 {
		p = append(p, fmt.Sprintf("%d SMS beyond the bound per code with no fault in the duplicate window", r.Unexplained))
	}
	if n := r.Scan.Leaks(); n > 0 {
		p = append(p, fmt.Sprintf("%d log lines leak a code, a full number, the secret or a token", n))
	}
	// Flat: the late RSS within 25% (and 16 MB) of the early one, and the
	// live heap kept per sign-in within what the pool keeps. A short run
	// (CI's 20 s, under the race detector) is all warm-up: its first
	// connections, caches and pools weigh more than its sign-ins.
	if r.Config.Duration >= memoryJudgedFrom {
		if early, late := r.Memory(); early > 0 && late > early*1.25 && late > early+16 {
			p = append(p, fmt.Sprintf("memory grew: RSS median %.1f MB early, %.1f MB late", early, late))
		}
		if kept := r.KeptPerSignIn(); kept > maxKeptPerSignIn {
			p = append(p, fmt.Sprintf("live heap grew %.1f kB per sign-in, more than the %.0f kB the pool keeps", kept/1024, maxKeptPerSignIn/1024))
		}
	}
	if r.Drained.Goroutines > r.Baseline.Goroutines+20 {
		p = append(p, fmt.Sprintf("goroutines: %d before the first sign-in, %d after the last", r.Baseline.Goroutines, r.Drained.Goroutines))
	}
	return p
}

// writeSimulated is the SMS table of a run with simulated delivery: what
// the providers took, per code, and what reached the phones.
func (r *Report) writeSimulated(w io.Writer) {
	var names []string
	for _, p := range r.Config.Simulate {
		names = append(names, fmt.Sprintf("%s delivers %.0f%% after %s", p.Name, 100*p.Share, p.Delay))
	}
	fmt.Fprintf(w, "\nSimulated delivery, in failover order: %s; the worker resends what is not delivered.\n", strings.Join(names, ", "))
	fmt.Fprintf(w, "\n| SMS | count |\n|---|---|\n| sent (taken by a provider) | %d |\n", r.Sends)
	for _, n := range sortedKeys(r.SendsPerCode) {
		fmt.Fprintf(w, "| codes with %d SMS sent | %d |\n", n, r.SendsPerCode[n])
	}
	fmt.Fprintf(w, "| delivered (reached the phone) | %d |\n| not delivered (dropped, or in flight at the end) | %d |\n", r.SMS, r.Sends-r.SMS)
	for _, n := range sortedKeys(r.PerCode) {
		fmt.Fprintf(w, "| codes with %d SMS delivered | %d |\n", n, r.PerCode[n])
	}
}

// Write prints the report as markdown.
func (r *Report) Write(w io.Writer) {
	c := r.Config
	total := r.Count("ok") + r.Count("refused") + r.Count("failed")
	fmt.Fprintf(w, "## Soak: %s at %.3g sign-ins/s, %.0f%% provider faults, %.0f%% store and queue faults\n\n",
		c.Duration, c.Rate, 100*c.ProviderFaults, 100*c.StoreFaults)
	fmt.Fprintf(w, "Embedded local stack, %d clients at most in flight; of the sign-ins %.0f%% unregistered numbers, %.0f%% returning numbers, %.0f%% with a wrong answer first, %.0f%% with a resend tap; seed %d; %s in all (the last sign-ins finishing).\n\n",
		c.Clients, 100*c.UnknownShare, 100*c.ReturningShare, 100*c.WrongShare, 100*c.ResendShare, c.Seed, r.Elapsed.Round(time.Second))
	fmt.Fprintf(w, "| sign-ins | count |\n|---|---|\n")
	fmt.Fprintf(w, "| started | %d (%d starts skipped: every client busy) |\n", total, r.Skipped)
	fmt.Fprintf(w, "| ok (tokens) | %d |\n", r.Count("ok"))
	for _, o := range r.sorted("refused") {
		fmt.Fprintf(w, "| refused %s | %d |\n", o.Code, r.Outcomes[o])
	}
	fmt.Fprintf(w, "| **failed (lost)** | **%d** |\n", r.Count("failed"))
	for _, o := range r.sorted("failed") {
		fmt.Fprintf(w, "| failed: %s | %d |\n", o.Code, r.Outcomes[o])
	}
	if len(r.Lost) > 0 {
		fmt.Fprintf(w, "\nLost sign-ins' numbers (as the log masks them): %s\n", strings.Join(r.Lost, ", "))
	}
	if len(c.Simulate) > 0 {
		r.writeSimulated(w)
	} else {
		fmt.Fprintf(w, "\n| SMS | count |\n|---|---|\n| sent | %d |\n", r.SMS)
		for _, n := range sortedKeys(r.PerCode) {
			fmt.Fprintf(w, "| codes with %d SMS | %d |\n", n, r.PerCode[n])
		}
	}
	extra := 0
	for _, n := range r.Extra {
		extra += n
	}
	fmt.Fprintf(w, "| SMS beyond one per code delivered | %d (sends beyond the bound, unexplained by a fault in the duplicate window: %d) |\n", extra, r.Unexplained)
	fmt.Fprintf(w, "| SMS to unregistered numbers | %d |\n", r.SMSToUnknown)
	if len(r.Faults) > 0 {
		fmt.Fprintf(w, "\n| injected faults | calls | before | after |\n|---|---|---|---|\n")
		ops := make([]string, 0, len(r.Faults))
		for op := range r.Faults {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			m := r.Faults[op]
			fmt.Fprintf(w, "| %s | %d | %d | %d |\n", op, m[None]+m[Before]+m[After], m[Before], m[After])
		}
	}
	s := r.Scan
	fmt.Fprintf(w, "\n| log lines | count |\n|---|---|\n| scanned | %d (%d warnings, %d errors) |\n", s.Lines, s.Warnings, s.Errors)
	fmt.Fprintf(w, "| holding a code that was sent | %d |\n| holding a full number | %d |\n| holding the secret | %d |\n| holding a token | %d |\n",
		s.Codes, s.FullNumbers, s.Secrets, s.Tokens)
	if len(s.Examples) > 0 {
		fmt.Fprintf(w, "\nOffending lines (what leaked blotted out):\n\n")
		for _, e := range s.Examples {
			fmt.Fprintf(w, "    %s\n", e)
		}
	}
	early, late := r.Memory()
	fmt.Fprintf(w, "\n| memory and goroutines | RSS MB | live heap MB | goroutines | sign-ins started |\n|---|---|---|---|---|\n")
	row := func(name string, s Sample) {
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %d | %d |\n", name, s.RSSMB, s.HeapMB, s.Goroutines, s.SignIns)
	}
	row("before the first sign-in", r.Baseline)
	// At most about 12 rows, evenly spread, the last one always.
	step := max(1, len(r.Samples)/12)
	for i, s := range r.Samples {
		if i%step == 0 || i == len(r.Samples)-1 {
			row(s.At.Round(time.Second).String(), s)
		}
	}
	row("after the last (clients gone)", r.Drained)
	fmt.Fprintf(w, "\nRSS median, second quarter of the run %.1f MB, last quarter %.1f MB. Live heap kept per sign-in started: %.1f kB (users and their 30-day refresh-token sessions stay in the pool's memory by design; challenges until their sweep; the soak's own tally of SMS per code).\n",
		early, late, r.KeptPerSignIn()/1024)
	if p := r.Problems(); len(p) > 0 {
		fmt.Fprintf(w, "\n**Goals missed:** %s.\n", strings.Join(p, "; "))
	} else {
		memory := "memory flat but for what the pool keeps per sign-in"
		if c.Duration < memoryJudgedFrom {
			memory = fmt.Sprintf("memory not judged (a run under %s)", memoryJudgedFrom)
		}
		fmt.Fprintf(w, "\nEvery goal met: 0 lost sign-ins, no SMS beyond the bounds, %s, 0 leaked values.\n", memory)
	}
}

func (r *Report) sorted(kind string) []Outcome {
	var out []Outcome
	for o := range r.Outcomes {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
