package faults_test

import "strings"

// The rotation test's secrets; the log check looks for them too.
const (
	secretA = "rotation-secret-A-0123456789abcdef-0123456789abcdef"
	secretB = "rotation-secret-B-0123456789abcdef-0123456789abcdef"
)

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
