package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	f, err := os.Open("testdata/sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := parse(f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	write(&out, rep)
	got := out.String()
	for _, want := range []string{
		"| benchmark | figures |\n|---|---|\n",
		"| Create/mem | 89.0 µs/op, 20736 B/op, 275 allocs/op |\n",
		"| Create/dynamodb+sqs | 14.8 ms/op, 2 ddb-req/op, 1 sqs-req/op, 1857 allocs/op |\n",
		"| ColdStart/start/define-auth-challenge | 69.2 ms/op, 18.21 bin-MB, 59.34 init-ms, 1.26 invoke-ms, 22.27 rss-MB |\n",
		"| ColdStart init failure: define-auth-challenge with `OTP_MAX_ATTEMPTS=0` | exit (exit status 1, no /init/error) |\n",
		"| Create p99, provider at 3000ms: classic ÷ queue | **73.8×** (3100 ms vs 42 ms) |\n",
		"| Create p99 (queue), provider at 3000 ms ÷ at 0 ms (goal for p99: ≤ 1.1) | **1.05×** |\n",
		"| Create p50 (queue), provider at 3000 ms ÷ at 0 ms (goal for p99: ≤ 1.1) | **1.05×** |\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "ColdStart/init-failure/") || strings.Count(got, "init failure:") != 1 {
		t.Errorf("init-failure rows not folded into one outcome row:\n%s", got)
	}
	if strings.Contains(got, "200ms") {
		t.Errorf("a ratio without both figures:\n%s", got)
	}
}
