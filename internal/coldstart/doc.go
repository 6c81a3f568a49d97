// Package coldstart starts a built Lambda bootstrap under the local
// Runtime API (package runtimeapi) and measures what Lambda's cold start
// costs it: init time (process start to the first /next), the first
// invocation's time, and peak resident memory. Its benchmark
// (BenchmarkColdStart, run by scripts/bench) builds every function as
// scripts/build does; nothing here is a timed test.
package coldstart
