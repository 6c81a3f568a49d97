package localstack

import (
	"net"
	"testing"
)

func TestPublicURL(t *testing.T) {
	tests := []struct {
		configured string
		addr       net.Addr
		want       string
	}{
		{"", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9229}, "http://127.0.0.1:9229"},
		// A wildcard address is no host a client (or an iss check) can use.
		{"", &net.TCPAddr{IP: net.IPv4zero, Port: 9229}, "http://127.0.0.1:9229"},
		{"", &net.TCPAddr{IP: net.IPv6unspecified, Port: 9229}, "http://127.0.0.1:9229"},
		{"", &net.TCPAddr{IP: net.IPv6loopback, Port: 9229}, "http://[::1]:9229"},
		{"http://192.168.1.20:9229/", &net.TCPAddr{IP: net.IPv4zero, Port: 9229}, "http://192.168.1.20:9229"},
	}
	for _, tc := range tests {
		if got := publicURL(tc.configured, tc.addr); got != tc.want {
			t.Errorf("publicURL(%q, %v) = %q, want %q", tc.configured, tc.addr, got, tc.want)
		}
	}
}
