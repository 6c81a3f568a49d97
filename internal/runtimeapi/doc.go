// Package runtimeapi is a local implementation of the AWS Lambda Runtime
// API (version 2018-06-01: invocation/next, invocation/{id}/response,
// invocation/{id}/error and init/error), so a built bootstrap can be run
// and timed on this machine exactly as Lambda runs it. It holds one
// function instance's queue of invocations; it never starts processes
// (package coldstart does).
package runtimeapi
