package coldstart

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Usage is what a running process has spent so far, from /proc (Linux).
// CPU time and page faults do not count the time the process waited for a
// core, so they compare builds on a loaded machine where wall times do not.
type Usage struct {
	CPU     time.Duration // on a core, all threads (schedstat)
	Waited  time.Duration // runnable but waiting for a core, all threads
	Faults  int64         // minor and major page faults, all threads
	PeakRSS int64         // bytes, the high-water mark (VmHWM)
}

// readUsage reads /proc/<pid>: every thread's schedstat, the process's
// stat (fault counts) and status (VmHWM).
func readUsage(pid int) (Usage, error) {
	var u Usage
	dir := "/proc/" + strconv.Itoa(pid)
	tasks, err := filepath.Glob(dir + "/task/*/schedstat")
	if err != nil || len(tasks) == 0 {
		return u, fmt.Errorf("no schedstat for %d", pid)
	}
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that ended
		}
		var run, wait int64
		fmt.Sscan(string(b), &run, &wait)
		u.CPU += time.Duration(run)
		u.Waited += time.Duration(wait)
	}
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return u, err
	}
	// Fields after the command name (which may hold spaces): state is the
	// first, minflt the 8th, majflt the 10th (proc(5)).
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
		f := bytes.Fields(stat[i+1:])
		if len(f) > 9 {
			minflt, _ := strconv.ParseInt(string(f[7]), 10, 64)
			majflt, _ := strconv.ParseInt(string(f[9]), 10, 64)
			u.Faults = minflt + majflt
		}
	}
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return u, err
	}
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, _ := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			u.PeakRSS = kb * 1024
		}
	}
	return u, nil
}
