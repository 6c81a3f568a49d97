package faultproxy_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func equal(a, b []bool) bool { return slices.Equal(a, b) }
