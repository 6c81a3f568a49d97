package idp

import "testing"

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Filter
		wantErr bool
	}{
		{name: "empty matches all", in: "", want: Filter{}},
		{name: "user status", in: `cognito:user_status = "UNCONFIRMED"`, want: Filter{attr: "cognito:user_status", value: "UNCONFIRMED"}},
		{name: "phone exact, no spaces", in: `phone_number="+15555550123"`, want: Filter{attr: "phone_number", value: "+15555550123"}},
		{name: "prefix", in: `given_name ^= "Jo"`, want: Filter{attr: "given_name", prefix: true, value: "Jo"}},
		{name: "escaped quote", in: `family_name = "O\"Neil"`, want: Filter{attr: "family_name", value: `O"Neil`}},
		{name: "custom attribute not searchable", in: `custom:tier = "gold"`, wantErr: true},
		{name: "unknown operator", in: `email != "a@b"`, wantErr: true},
		{name: "unquoted value", in: `email = a@b`, wantErr: true},
		{name: "unterminated", in: `email = "a@b`, wantErr: true},
		{name: "trailing junk", in: `email = "a@b" and x`, wantErr: true},
		{name: "no attribute", in: `= "x"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFilter(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseFilter(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("ParseFilter(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFilterMatch(t *testing.T) {
	attrs := map[string]string{"phone_number": "+15555550123"}
	tests := []struct {
		filter string
		want   bool
	}{
		{`cognito:user_status = "UNCONFIRMED"`, true},
		{`cognito:user_status = "unconfirmed"`, true}, // case-insensitive per the docs
		{`cognito:user_status = "CONFIRMED"`, false},
		{`phone_number = "+15555550123"`, true},
		{`phone_number = "+1555555012"`, false}, // exact, not prefix
		{`phone_number ^= "+1555"`, true},
		{`email = "alice@example.com"`, false}, // absent attribute
		{`username = "alice"`, true},
		{`username = "Alice"`, false}, // case-sensitive
		{`status = "Enabled"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := ParseFilter(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match("alice", "UNCONFIRMED", true, attrs); got != tt.want {
				t.Errorf("match = %v, want %v", got, tt.want)
			}
		})
	}
}
