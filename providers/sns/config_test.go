package sns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // variable names the error must name; nil: valid
	}{
		{name: "empty", cfg: Config{}},
		{name: "all set", cfg: Config{SenderID: "Acme-OTP", OriginationNumber: "+12065550100", MaxPrice: "0.50", DLTEntityID: "1701165718168578728", DLTTemplateID: "1707166375278247471"}},
		{name: "sender id 3", cfg: Config{SenderID: "Abc"}},
		{name: "sender id 11", cfg: Config{SenderID: "ABCDEFGHIJK"}},
		{name: "sender id digits and a letter", cfg: Config{SenderID: "123456789a"}},
		{name: "short code", cfg: Config{OriginationNumber: "12345"}},
		{name: "toll-free", cfg: Config{OriginationNumber: "+18885550100"}},
		{name: "14 digits", cfg: Config{OriginationNumber: "+49151234567890"}},
		{name: "max price integer", cfg: Config{MaxPrice: "1"}},

		{name: "sender id too short", cfg: Config{SenderID: "AB"}, want: []string{EnvSenderID}},
		{name: "sender id too long", cfg: Config{SenderID: "ABCDEFGHIJKL"}, want: []string{EnvSenderID}},
		{name: "sender id no letter", cfg: Config{SenderID: "12345"}, want: []string{EnvSenderID}},
		{name: "sender id space", cfg: Config{SenderID: "Acme OTP"}, want: []string{EnvSenderID}},
		{name: "sender id underscore", cfg: Config{SenderID: "Acme_OTP"}, want: []string{EnvSenderID}},
		{name: "origination too short", cfg: Config{OriginationNumber: "1234"}, want: []string{EnvOriginationNumber}},
		{name: "origination too long", cfg: Config{OriginationNumber: "+123456789012345"}, want: []string{EnvOriginationNumber}},
		{name: "origination formatted", cfg: Config{OriginationNumber: "+1 206 555 0100"}, want: []string{EnvOriginationNumber}},
		{name: "origination +0", cfg: Config{OriginationNumber: "+0123456"}, want: []string{EnvOriginationNumber}},
		{name: "origination letters", cfg: Config{OriginationNumber: "Acme"}, want: []string{EnvOriginationNumber}},
		{name: "max price word", cfg: Config{MaxPrice: "cheap"}, want: []string{EnvMaxPrice}},
		{name: "max price negative", cfg: Config{MaxPrice: "-1"}, want: []string{EnvMaxPrice}},
		{name: "max price zero", cfg: Config{MaxPrice: "0.00"}, want: []string{EnvMaxPrice}},
		{name: "max price exponent", cfg: Config{MaxPrice: "1e-2"}, want: []string{EnvMaxPrice}},
		{name: "max price comma", cfg: Config{MaxPrice: "0,50"}, want: []string{EnvMaxPrice}},
		{name: "max price dollar", cfg: Config{MaxPrice: "$0.50"}, want: []string{EnvMaxPrice}},
		{name: "entity id only", cfg: Config{DLTEntityID: "1701165718168578728"}, want: []string{EnvDLTEntityID, EnvDLTTemplateID}},
		{name: "template id only", cfg: Config{DLTTemplateID: "1707166375278247471"}, want: []string{EnvDLTEntityID, EnvDLTTemplateID}},
		{name: "entity id letters", cfg: Config{DLTEntityID: "PE-1701", DLTTemplateID: "1707"}, want: []string{EnvDLTEntityID}},
		{name: "template id letters", cfg: Config{DLTEntityID: "1701", DLTTemplateID: "T1707"}, want: []string{EnvDLTTemplateID}},
		{name: "template id too long", cfg: Config{DLTEntityID: "1701", DLTTemplateID: strings.Repeat("1", 51)}, want: []string{EnvDLTTemplateID}},
		{
			name: "every problem at once",
			cfg:  Config{SenderID: "!", OriginationNumber: "x", MaxPrice: "x", DLTEntityID: "x"},
			want: []string{EnvSenderID, EnvOriginationNumber, EnvMaxPrice, EnvDLTEntityID, EnvDLTTemplateID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error naming %v", tt.want)
			}
			for _, name := range tt.want {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("Validate() = %q, does not name %s", err, name)
				}
			}
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		EnvSenderID:          " Acme ",
		EnvOriginationNumber: "+12065550100\n",
		EnvMaxPrice:          "0.50",
		EnvDLTEntityID:       "1701",
		EnvDLTTemplateID:     "1707",
		"SNS_UNRELATED":      "x",
	}
	got := ConfigFromEnv(func(k string) string { return env[k] })
	want := Config{SenderID: "Acme", OriginationNumber: "+12065550100", MaxPrice: "0.50", DLTEntityID: "1701", DLTTemplateID: "1707"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ConfigFromEnv (-want +got):\n%s", diff)
	}
	if got := ConfigFromEnv(func(string) string { return "" }); got != (Config{}) {
		t.Errorf("ConfigFromEnv(empty) = %+v, want the zero Config", got)
	}
}
