package country_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country"
)

func TestParseList(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string // substring
	}{
		{name: "empty", in: "", want: nil},
		{name: "spaces", in: "  ", want: nil},
		{name: "one", in: "IN", want: []string{"IN"}},
		{name: "two", in: "IN,US", want: []string{"IN", "US"}},
		{name: "trim and fold", in: " in , us ,Gb", want: []string{"IN", "US", "GB"}},
		{name: "duplicates dropped", in: "US,us,IN", want: []string{"US", "IN"}},
		{name: "unknown", in: "IN,XX", wantErr: `entry 2 "XX"`},
		{name: "UK", in: "UK", wantErr: "use GB"},
		{name: "non-geographic", in: "001", wantErr: `entry 1 "001"`},
		{name: "alpha-3", in: "USA", wantErr: `entry 1 "USA"`},
		{name: "empty entry", in: "IN,,US", wantErr: "entry 2 is empty"},
		{name: "trailing comma", in: "IN,", wantErr: "entry 2 is empty"},
		{name: "long entry truncated", in: strings.Repeat("A", 1000), wantErr: `"AAAAAAAA..."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := country.ParseList(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseList(%.20q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseList(%q) error = %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseList(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
