package coldstart_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/coldstart"
)

// buildTestdata compiles ./testdata/<name> for this machine.
func buildTestdata(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// A real aws-lambda-go runtime goes through init and one invocation.
func TestMeasureEchoes(t *testing.T) {
	bin := buildTestdata(t, "empty")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := coldstart.Measure(ctx, coldstart.Spec{Binary: bin}, []byte(`{"hello":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(s.Result.Payload) != `{"hello":"world"}` || s.Result.Err != nil {
		t.Errorf("result %+v", s.Result)
	}
	if s.Init <= 0 || s.Invoke <= 0 || s.MaxRSS <= 0 || s.InitUsage.CPU <= 0 || s.InitUsage.Faults <= 0 {
		t.Errorf("sample %+v", s)
	}
}

// The peak RSS is the function's own: the child's rusage would carry over
// this process's peak (os/exec starts it with vfork), and did.
func TestMaxRSSIsTheFunctions(t *testing.T) {
	bin := buildTestdata(t, "empty")
	ballast := make([]byte, 96<<20)
	for i := range ballast {
		ballast[i] = 1 // resident, not just reserved
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := coldstart.Measure(ctx, coldstart.Spec{Binary: bin}, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(ballast)
	if s.MaxRSS <= 0 || s.MaxRSS >= 64<<20 {
		t.Errorf("peak RSS of the empty handler = %d bytes, want its own (a few MB), not this test's (over 96 MB)", s.MaxRSS)
	}
}

func TestInitFailures(t *testing.T) {
	bin := buildTestdata(t, "fail")
	tests := []struct {
		env      string
		reported bool
		message  string
	}{
		{"FAIL=init-error", true, "OTP_TABLE_NAME"},
		{"FAIL=exit", false, "exit status 1"},
	}
	for _, tc := range tests {
		t.Run(tc.env, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := coldstart.Start(ctx, coldstart.Spec{Binary: bin, Env: []string{tc.env}})
			var f *coldstart.InitFailure
			if !errors.As(err, &f) || f.Reported != tc.reported || !strings.Contains(f.Message, tc.message) {
				t.Errorf("Start = %v, want an init failure (reported %v) naming %q", err, tc.reported, tc.message)
			}
		})
	}
}
