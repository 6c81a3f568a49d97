package eum_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/eum"
)

const (
	testTo   = "+919876543210"
	testCode = "482913"
	testBody = "Your sign-in code is 482913"
	identity = "arn:aws:sms-voice:ap-south-1:111122223333:sender-id/ACMEOT/IN"
)

var testNow = time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

func fullConfig() eum.Config {
	return eum.Config{
		OriginationIdentity:    identity,
		ConfigurationSet:       "otp-events",
		ProtectConfigurationID: "protect-0123456789abcdef0123456789abcdef",
		MaxPrice:               "0.05",
		DLTEntityID:            "1101234567890123456",
		DLTTemplateID:          "1107123456789012345",
	}
}

func message(country string) providers.Message {
	return providers.Message{ID: "m-1", To: testTo, Country: country, Body: testBody, Code: testCode, ExpiresAt: testNow.Add(3 * time.Minute)}
}

func newProvider(t *testing.T, f *fakeEUM, cfg eum.Config) *eum.Provider {
	t.Helper()
	p, err := eum.New(f.client(), cfg, clock)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// TestSendRequest: the JSON End User Messaging gets.
func TestSendRequest(t *testing.T) {
	tests := []struct {
		name    string
		cfg     eum.Config
		country string
		want    map[string]any
	}{
		{"everything, to India", fullConfig(), "IN", map[string]any{
			"DestinationPhoneNumber": testTo, "OriginationIdentity": identity, "MessageBody": testBody,
			"MessageType": "TRANSACTIONAL", "TimeToLive": float64(180), "ConfigurationSetName": "otp-events",
			"ProtectConfigurationId": "protect-0123456789abcdef0123456789abcdef", "MaxPrice": "0.05",
			"DestinationCountryParameters": map[string]any{"IN_ENTITY_ID": "1101234567890123456", "IN_TEMPLATE_ID": "1107123456789012345"},
		}},
		{"DLT ids only to India", fullConfig(), "BR", map[string]any{
			"DestinationPhoneNumber": testTo, "OriginationIdentity": identity, "MessageBody": testBody,
			"MessageType": "TRANSACTIONAL", "TimeToLive": float64(180), "ConfigurationSetName": "otp-events",
			"ProtectConfigurationId": "protect-0123456789abcdef0123456789abcdef", "MaxPrice": "0.05",
		}},
		{"identity only", eum.Config{OriginationIdentity: "+12065550152"}, "IN", map[string]any{
			"DestinationPhoneNumber": testTo, "OriginationIdentity": "+12065550152", "MessageBody": testBody,
			"MessageType": "TRANSACTIONAL", "TimeToLive": float64(180),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			r, err := newProvider(t, f, tt.cfg).Send(context.Background(), message(tt.country))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if r != (providers.Receipt{Provider: "eum", MessageID: "862a8790-60c0-4430-9b2b-658bdexample"}) {
				t.Errorf("receipt %+v", r)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			if diff := cmp.Diff(tt.want, reqs[0]); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTimeToLiveBounds(t *testing.T) {
	tests := []struct {
		left    time.Duration
		wantTTL float64 // 0: not sent
	}{
		{4 * time.Second, 0},
		{5 * time.Second, 5},
		{100 * time.Hour, 259200},
	}
	for _, tt := range tests {
		t.Run(tt.left.String(), func(t *testing.T) {
			f := newFake(t)
			m := message("US")
			m.ExpiresAt = testNow.Add(tt.left)
			_, err := newProvider(t, f, eum.Config{OriginationIdentity: "pool-0123"}).Send(context.Background(), m)
			if tt.wantTTL == 0 {
				if providers.Classify(err) != providers.Permanent || len(f.Requests()) != 0 {
					t.Errorf("error %v after %d requests, want permanent before any", err, len(f.Requests()))
				}
				return
			}
			if err != nil || f.Requests()[0]["TimeToLive"] != tt.wantTTL {
				t.Errorf("err %v, request %v", err, f.Requests())
			}
		})
	}
}

// TestSendErrors: the service's error bodies, classified.
func TestSendErrors(t *testing.T) {
	tests := []struct {
		fixture string
		want    providers.Kind
		code    string
	}{
		{"error-throttling.json", providers.Transient, "ThrottlingException"},
		{"error-internal.json", providers.Transient, "InternalServerException"},
		{"error-opted-out.json", providers.Permanent, "ConflictException/DESTINATION_PHONE_NUMBER_OPTED_OUT"},
		{"error-protect-blocked.json", providers.Permanent, "ConflictException/DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"},
		{"error-not-verified.json", providers.ProviderSide, "ConflictException/DESTINATION_PHONE_NUMBER_NOT_VERIFIED"},
		{"error-spend-limit.json", providers.ProviderSide, "ServiceQuotaExceededException/MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"},
		{"error-account-disabled.json", providers.ProviderSide, "AccessDeniedException/ACCOUNT_DISABLED"},
		{"error-iam-denied.json", providers.ProviderSide, "AccessDeniedException"},
		{"error-identity-not-found.json", providers.ProviderSide, "ResourceNotFoundException"},
		{"error-invalid-destination.json", providers.Permanent, "ValidationException/FIELD_VALIDATION_FAILED"},
		{"error-country-blocked.json", providers.ProviderSide, "ValidationException/DESTINATION_COUNTRY_BLOCKED"},
		{"error-price.json", providers.ProviderSide, "ValidationException/PRICE_OVER_THRESHOLD"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			f := newFake(t)
			f.reply = tt.fixture
			_, err := newProvider(t, f, fullConfig()).Send(context.Background(), message("IN"))
			var pe *providers.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *providers.Error", err)
			}
			if pe.Kind != tt.want || pe.Code != tt.code || pe.Provider != "eum" {
				t.Errorf("got %v %q, want %v %q", pe.Kind, pe.Code, tt.want, tt.code)
			}
			for _, secret := range []string{testTo, strings.TrimPrefix(testTo, "+"), testCode} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error holds %q: %v", secret, err)
				}
			}
		})
	}
}

func TestSendCancelled(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newProvider(t, f, fullConfig()).Send(ctx, message("IN"))
	if providers.Classify(err) != providers.Transient || !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want transient wrapping context.Canceled", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"EUM_ORIGINATION_IDENTITY":     " " + identity,
		"EUM_CONFIGURATION_SET":        "otp-events",
		"EUM_PROTECT_CONFIGURATION_ID": "protect-0123456789abcdef0123456789abcdef",
		"EUM_MAX_PRICE":                "0.05",
		"EUM_DLT_ENTITY_ID":            "1101234567890123456",
		"EUM_DLT_TEMPLATE_ID":          "1107123456789012345",
	}
	got := eum.ConfigFromEnv(func(k string) string { return env[k] })
	if diff := cmp.Diff(fullConfig(), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*eum.Config)
		want string
	}{
		{"no identity", func(c *eum.Config) { c.OriginationIdentity = "" }, "EUM_ORIGINATION_IDENTITY"},
		{"identity with spaces", func(c *eum.Config) { c.OriginationIdentity = "my number" }, "EUM_ORIGINATION_IDENTITY"},
		{"another service's ARN", func(c *eum.Config) { c.OriginationIdentity = "arn:aws:sns:us-east-1:111122223333:topic" }, "EUM_ORIGINATION_IDENTITY"},
		{"configuration set name", func(c *eum.Config) { c.ConfigurationSet = "otp events" }, "EUM_CONFIGURATION_SET"},
		{"price without a point", func(c *eum.Config) { c.MaxPrice = "1" }, "EUM_MAX_PRICE"},
		{"price too dear", func(c *eum.Config) { c.MaxPrice = "100.0" }, "EUM_MAX_PRICE"},
		{"DLT entity alone", func(c *eum.Config) { c.DLTTemplateID = "" }, "EUM_DLT_TEMPLATE_ID"},
		{"DLT id not digits", func(c *eum.Config) { c.DLTEntityID = "abc" }, "EUM_DLT_ENTITY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fullConfig()
			tt.edit(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
