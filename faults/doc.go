// Package faults holds the fault scenarios: the triggers and the worker run
// against DynamoDB Local, fauxqs and provider fakes through
// internal/faultproxy, and each test checks what a user would see (one
// usable code and one SMS, or a clean refusal) and prints its counts. It
// holds tests only; scripts/faults runs them, longer with OTP_FAULTS_LONG=1.
package faults
