package twilio_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
)

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"TWILIO_ACCOUNT_SID":           " " + testSID + " ",
		"TWILIO_AUTH_TOKEN":            testToken,
		"TWILIO_MESSAGING_SERVICE_SID": testService,
		"TWILIO_STATUS_CALLBACK":       "https://hooks.example.com/status",
		"TWILIO_REGION":                "IE1",
		"TWILIO_EDGE":                  "Dublin",
	}
	got := twilio.ConfigFromEnv(func(k string) string { return env[k] })
	want := twilio.Config{
		AccountSID: testSID, AuthToken: testToken, MessagingServiceSID: testService,
		StatusCallback: "https://hooks.example.com/status", Region: "ie1", Edge: "dublin",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromEnv (-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestValidateAccepts(t *testing.T) {
	base := twilio.Config{AccountSID: testSID, AuthToken: testToken, From: testFrom}
	tests := []struct {
		name string
		edit func(*twilio.Config)
	}{
		{"E.164 sender", func(c *twilio.Config) {}},
		{"upper-case hex SID", func(c *twilio.Config) { c.AccountSID = "AC" + strings.Repeat("A", 32) }},
		{"alphanumeric sender", func(c *twilio.Config) { c.From = "Acme" }},
		{"alphanumeric sender, 11 characters with space", func(c *twilio.Config) { c.From = "Acme Bank 1" }},
		{"alphanumeric sender with - + _ &", func(c *twilio.Config) { c.From = "A&B_C-D+E" }},
		{"short code", func(c *twilio.Config) { c.From = "89757" }},
		{"messaging service", func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", testService }},
		{"status callback", func(c *twilio.Config) { c.StatusCallback = "https://hooks.example.com/twilio?x=1" }},
		{"status callback with credentials", func(c *twilio.Config) { c.StatusCallback = "https://u:p@hooks.example.com/s" }},
		{"region us1", func(c *twilio.Config) { c.Region = "us1" }},
		{"edge only", func(c *twilio.Config) { c.Edge = "frankfurt" }},
		{"us1 with roaming", func(c *twilio.Config) { c.Region, c.Edge = "us1", "roaming" }},
		{"ie1 dublin", func(c *twilio.Config) { c.Region, c.Edge = "ie1", "dublin" }},
		{"au1 sydney", func(c *twilio.Config) { c.Region, c.Edge = "au1", "sydney" }},
		{"jp1 tokyo", func(c *twilio.Config) { c.Region, c.Edge = "jp1", "tokyo" }},
		{"loopback http base URL", func(c *twilio.Config) { c.APIBaseURL = "http://127.0.0.1:4010" }},
		{"localhost http base URL", func(c *twilio.Config) { c.APIBaseURL = "http://localhost:4010/" }},
		{"IPv6 loopback base URL", func(c *twilio.Config) { c.APIBaseURL = "http://[::1]:4010" }},
		{"https base URL", func(c *twilio.Config) { c.APIBaseURL = "https://api.dublin.ie1.twilio.com" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	const secret = "Sup3rSecretToken"
	base := twilio.Config{AccountSID: testSID, AuthToken: secret, From: testFrom}
	tests := []struct {
		name     string
		edit     func(*twilio.Config)
		wantVars []string
	}{
		{"empty", func(c *twilio.Config) { *c = twilio.Config{} }, []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"}},
		{"SID prefix", func(c *twilio.Config) { c.AccountSID = "SK" + strings.Repeat("a", 32) }, []string{"TWILIO_ACCOUNT_SID"}},
		{"SID short", func(c *twilio.Config) { c.AccountSID = "AC" + strings.Repeat("a", 31) }, []string{"TWILIO_ACCOUNT_SID"}},
		{"SID not hex", func(c *twilio.Config) { c.AccountSID = "AC" + strings.Repeat("g", 32) }, []string{"TWILIO_ACCOUNT_SID"}},
		{"token with symbols", func(c *twilio.Config) { c.AuthToken = secret + "!" }, []string{"TWILIO_AUTH_TOKEN"}},
		{"both senders", func(c *twilio.Config) { c.MessagingServiceSID = testService }, []string{"TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID"}},
		{"no sender", func(c *twilio.Config) { c.From = "" }, []string{"TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID"}},
		{"national number", func(c *twilio.Config) { c.From = "0412345678" }, []string{"TWILIO_FROM"}},
		{"E.164 too long", func(c *twilio.Config) { c.From = "+1234567890123456" }, []string{"TWILIO_FROM"}},
		{"alphanumeric too long", func(c *twilio.Config) { c.From = "AcmeBankOTP1" }, []string{"TWILIO_FROM"}},
		{"alphanumeric bad char", func(c *twilio.Config) { c.From = "Acme!" }, []string{"TWILIO_FROM"}},
		{"service SID prefix", func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", "PN"+strings.Repeat("b", 32) }, []string{"TWILIO_MESSAGING_SERVICE_SID"}},
		{"callback http", func(c *twilio.Config) { c.StatusCallback = "http://hooks.example.com/s" }, []string{"TWILIO_STATUS_CALLBACK"}},
		{"callback relative", func(c *twilio.Config) { c.StatusCallback = "/status" }, []string{"TWILIO_STATUS_CALLBACK"}},
		{"callback underscore host", func(c *twilio.Config) { c.StatusCallback = "https://my_hooks.example.com/s" }, []string{"TWILIO_STATUS_CALLBACK"}},
		{"unknown region", func(c *twilio.Config) { c.Region = "eu1" }, []string{"TWILIO_REGION"}},
		{"unknown edge", func(c *twilio.Config) { c.Edge = "london" }, []string{"TWILIO_EDGE"}},
		{"ie1 without edge", func(c *twilio.Config) { c.Region = "ie1" }, []string{"TWILIO_EDGE"}},
		{"au1 with another city", func(c *twilio.Config) { c.Region, c.Edge = "au1", "dublin" }, []string{"TWILIO_EDGE"}},
		{"base URL relative", func(c *twilio.Config) { c.APIBaseURL = "127.0.0.1:4010" }, []string{"TWILIO_API_BASE_URL"}},
		{"base URL ftp", func(c *twilio.Config) { c.APIBaseURL = "ftp://127.0.0.1" }, []string{"TWILIO_API_BASE_URL"}},
		{"base URL remote http", func(c *twilio.Config) { c.APIBaseURL = "http://twilio-proxy.internal" }, []string{"TWILIO_API_BASE_URL"}},
		{"base URL with path", func(c *twilio.Config) { c.APIBaseURL = "https://proxy.example.com/twilio" }, []string{"TWILIO_API_BASE_URL"}},
		{"base URL with credentials", func(c *twilio.Config) { c.APIBaseURL = "https://u:p@proxy.example.com" }, []string{"TWILIO_API_BASE_URL"}},
		{"base URL and region", func(c *twilio.Config) {
			c.APIBaseURL, c.Region, c.Edge = "https://proxy.example.com", "ie1", "dublin"
		}, []string{"TWILIO_API_BASE_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			for _, v := range tt.wantVars {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("error does not name %s: %v", v, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error echoes the auth token: %v", err)
			}
		})
	}
}

// TestValidateBoundsEcho: a value is quoted with at most 20 characters.
func TestValidateBoundsEcho(t *testing.T) {
	c := twilio.Config{AccountSID: testSID, AuthToken: testToken, From: strings.Repeat("x", 15) + "TAILMARKER"}
	err := c.Validate()
	if err == nil || strings.Contains(err.Error(), "TAILMARKER") {
		t.Errorf("Validate = %v, want an error without the value's tail", err)
	}
}
