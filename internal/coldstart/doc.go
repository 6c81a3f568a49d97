// Package coldstart starts a built Lambda bootstrap under the local
// Runtime API (package runtimeapi) and measures what Lambda's cold start
// costs it: init time (process start to the first /next), the CPU time and
// page faults of that init (which, unlike the wall time, a loaded machine
// barely moves), the first invocation's time, and the process's own peak
// resident memory (VmHWM; the child's rusage would include this process's
// peak, which vfork hands over at exec). Its benchmark (BenchmarkColdStart,
// run by scripts/bench) builds every function as scripts/build does;
// nothing here is a timed test.
package coldstart
