// Command benchtable turns the output of scripts/bench's go test -bench runs
// (on stdin) into one markdown table: a row per benchmark with its figures,
// the cold-start init-failure outcomes, and the queue design against the
// classic recipe as ratios. scripts/bench pipes into it; README and
// docs/figures.md show its output.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

func main() {
	rows, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	write(os.Stdout, rows)
}

// metric is one "value unit" pair of a benchmark line.
type metric struct {
	value float64
	unit  string
}

type result struct {
	name    string
	metrics []metric
}

type report struct {
	results      []result
	initFailures [][2]string // function and setting, outcome
}

var (
	// BenchmarkX/y-2   	     100	  12345 ns/op	  3.0 p50-ms
	benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.+)$`)
	// coldstart_test.go:105: init-failure define-auth-challenge OTP_MAX_ATTEMPTS=0 -> exit (...)
	initFailureLine = regexp.MustCompile(`init-failure (\S+) (\S*) -> (.+)$`)
)

func parse(r io.Reader) (report, error) {
	var rep report
	index := map[string]int{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := initFailureLine.FindStringSubmatch(line); m != nil {
			if !seen[m[1]] {
				seen[m[1]] = true
				rep.initFailures = append(rep.initFailures, [2]string{m[1] + " with `" + m[2] + "`", m[3]})
			}
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		res := result{name: m[1]}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return rep, fmt.Errorf("%q: %w", line, err)
			}
			res.metrics = append(res.metrics, metric{v, f[i+1]})
		}
		// A later line for the same benchmark (a rerun) wins.
		if i, ok := index[res.name]; ok {
			rep.results[i] = res
			continue
		}
		index[res.name] = len(rep.results)
		rep.results = append(rep.results, res)
	}
	return rep, sc.Err()
}

func (rep report) get(name, unit string) (float64, bool) {
	for _, r := range rep.results {
		if r.name != name {
			continue
		}
		for _, m := range r.metrics {
			if m.unit == unit {
				return m.value, true
			}
		}
	}
	return 0, false
}

func write(w io.Writer, rep report) {
	fmt.Fprintln(w, "| benchmark | figures |")
	fmt.Fprintln(w, "|---|---|")
	for _, r := range rep.results {
		// Their time is that of a failing start; the outcome rows below say what matters.
		if strings.Contains(r.name, "/init-failure/") {
			continue
		}
		var parts []string
		for _, m := range r.metrics {
			parts = append(parts, format(m))
		}
		fmt.Fprintf(w, "| %s | %s |\n", r.name, strings.Join(parts, ", "))
	}
	for _, f := range rep.initFailures {
		fmt.Fprintf(w, "| ColdStart init failure: %s | %s |\n", f[0], strings.ReplaceAll(f[1], "|", `\|`))
	}
	for _, lat := range []string{"0ms", "200ms", "1000ms", "3000ms"} {
		for _, p := range []string{"p50", "p99"} {
			q, ok1 := rep.get("CreateProviderLatency/queue/"+lat, p+"-ms")
			c, ok2 := rep.get("CreateProviderLatency/classic/"+lat, p+"-ms")
			if ok1 && ok2 && q > 0 {
				fmt.Fprintf(w, "| Create %s, provider at %s: classic ÷ queue | **%.1f×** (%s vs %s) |\n", p, lat, c/q, ms(c), ms(q))
			}
		}
	}
	for _, p := range []string{"p50", "p99"} {
		q0, ok1 := rep.get("CreateProviderLatency/queue/0ms", p+"-ms")
		q3, ok2 := rep.get("CreateProviderLatency/queue/3000ms", p+"-ms")
		if ok1 && ok2 && q0 > 0 {
			fmt.Fprintf(w, "| Create %s (queue), provider at 3000 ms ÷ at 0 ms (goal for p99: ≤ 1.1) | **%.2f×** |\n", p, q3/q0)
		}
	}
}

// format prints ns/op in a readable unit and other metrics as they are.
func format(m metric) string {
	if m.unit == "ns/op" {
		switch {
		case m.value >= 1e9:
			return fmt.Sprintf("%.2f s/op", m.value/1e9)
		case m.value >= 1e6:
			return fmt.Sprintf("%.1f ms/op", m.value/1e6)
		case m.value >= 1e3:
			return fmt.Sprintf("%.1f µs/op", m.value/1e3)
		}
	}
	if m.value >= 1000 {
		return fmt.Sprintf("%.0f %s", m.value, m.unit)
	}
	return strconv.FormatFloat(m.value, 'g', 4, 64) + " " + m.unit
}

func ms(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) + " ms" }
