package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// reSAMTarget is a Makefile line "build-<LogicalId>: ; $(call sam-build,<cmd>)".
var reSAMTarget = regexp.MustCompile(`(?m)^build-([A-Za-z0-9]+):\s*;\s*\$\(call sam-build,([a-z0-9-]+)\)\s*$`)

// TestMakefileBuildsEachFunction checks that sam build finds a target for
// each function (BuildMethod: makefile runs build-<LogicalId>), that the
// target builds that function's cmd/<function>, and that make build covers
// the same functions.
func TestMakefileBuildsEachFunction(t *testing.T) {
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]string{}
	for _, m := range reSAMTarget.FindAllStringSubmatch(string(mk), -1) {
		targets[m[1]] = m[2]
	}
	reFunctions := regexp.MustCompile(`(?s)FUNCTIONS := (.*?)\n\S`)
	fm := reFunctions.FindSubmatch(mk)
	if fm == nil {
		t.Fatal("Makefile: no FUNCTIONS list")
	}
	listed := map[string]bool{}
	for _, w := range regexp.MustCompile(`[a-z0-9-]+`).FindAll(fm[1], -1) {
		listed[string(w)] = true
	}
	tmpl := load(t, nil)
	for _, f := range functions {
		fn(t, tmpl, f.id) // present in the template
		if got := targets[f.id]; got != f.cmd {
			t.Errorf("Makefile: build-%s builds cmd/%q, want cmd/%s", f.id, got, f.cmd)
		}
		if !listed[f.cmd] {
			t.Errorf("Makefile: FUNCTIONS lacks %s, so make build skips it", f.cmd)
		}
		if _, err := os.Stat(filepath.Join("..", "cmd", f.cmd, "main.go")); err != nil {
			t.Errorf("%s: %v", f.id, err)
		}
	}
	if len(targets) != len(functions) || len(listed) != len(functions) {
		t.Errorf("Makefile: %d SAM targets and %d FUNCTIONS, want %d each", len(targets), len(listed), len(functions))
	}
}

// TestFunctionsCrossCompile builds every function the way the Makefile
// does, so a main that does not build for Lambda fails here.
func TestFunctionsCrossCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function")
	}
	out := t.TempDir()
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out + string(filepath.Separator)}
	for _, f := range functions {
		args = append(args, "./cmd/"+f.cmd)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	for _, f := range functions {
		fi, err := os.Stat(filepath.Join(out, f.cmd))
		if err != nil {
			t.Errorf("%s: %v", f.cmd, err)
			continue
		}
		t.Logf("%-24s %d bytes", f.cmd, fi.Size())
	}
}
