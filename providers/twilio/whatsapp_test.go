package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
)

const (
	testWAFrom = "+15017122661"
	sidEN      = "HX" + "0123456789abcdef0123456789abcdef"
	sidPT      = "HX" + "fedcba9876543210fedcba9876543210"
	sidPTBR    = "HX" + "00000000000000000000000000000001"
)

func waConfig(base string) twilio.WhatsAppConfig {
	return twilio.WhatsAppConfig{
		Account:     twilio.Config{AccountSID: testSID, AuthToken: testToken, APIBaseURL: base, StatusCallback: "https://hooks.example.com/twilio"},
		From:        testWAFrom,
		ContentSIDs: []twilio.LocaleSID{{Locale: "en", SID: sidEN}, {Locale: "pt", SID: sidPT}, {Locale: "pt-BR", SID: sidPTBR}},
	}
}

func newWhatsApp(t *testing.T, cfg twilio.WhatsAppConfig) *twilio.WhatsApp {
	t.Helper()
	own := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: twilio.DefaultTimeout}
	t.Cleanup(own.CloseIdleConnections)
	p, err := twilio.NewWhatsApp(cfg, twilio.WithClock(clock), twilio.WithHTTPClient(own))
	if err != nil {
		t.Fatalf("NewWhatsApp: %v", err)
	}
	return p
}

func waMessage(locale string) providers.Message {
	m := message(5 * time.Minute)
	m.Code, m.Locale = testCode, locale
	return m
}

// TestWhatsAppForm: the form Twilio gets is a template send, the code only
// in ContentVariables, the template chosen by locale.
func TestWhatsAppForm(t *testing.T) {
	tests := []struct {
		name, locale, wantSID string
		service               bool
	}{
		{"exact locale", "pt-BR", sidPTBR, false},
		{"language of a locale", "pt-PT", sidPT, false},
		{"first listed for an unknown locale", "de", sidEN, false},
		{"messaging service with validity", "en", sidEN, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			cfg := waConfig(f.URL())
			if tt.service {
				cfg.From, cfg.MessagingServiceSID = "", testService
			}
			r, err := newWhatsApp(t, cfg).Send(context.Background(), waMessage(tt.locale))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if r.Provider != "whatsapp" || !strings.HasPrefix(r.MessageID, "SM") {
				t.Errorf("receipt %+v", r)
			}
			want := url.Values{
				"To":               {"whatsapp:" + testTo},
				"ContentSid":       {tt.wantSID},
				"ContentVariables": {`{"1":"` + testCode + `"}`},
				"StatusCallback":   {"https://hooks.example.com/twilio"},
			}
			if tt.service {
				want["MessagingServiceSid"] = []string{testService}
				want["ValidityPeriod"] = []string{"300"}
			} else {
				want["From"] = []string{"whatsapp:" + testWAFrom}
			}
			forms := f.Forms()
			if len(forms) != 1 {
				t.Fatalf("%d requests", len(forms))
			}
			if diff := cmp.Diff(want, forms[0]); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWhatsAppErrors: Twilio's answers, as its error JSON, classified.
func TestWhatsAppErrors(t *testing.T) {
	tests := []struct {
		code, status int
		want         providers.Kind
	}{
		{63016, 400, providers.ProviderSide},
		{63024, 400, providers.NotOnChannel},
		{63003, 400, providers.NotOnChannel},
		{63014, 400, providers.NotOnChannel},
		{21610, 400, providers.NotOnChannel},
		{63027, 400, providers.ProviderSide},
		{63028, 400, providers.ProviderSide},
		{21655, 400, providers.ProviderSide},
		{63018, 429, providers.Transient},
		{63012, 500, providers.Transient},
		{21211, 400, providers.Permanent},
		{20003, 401, providers.ProviderSide},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status)+"/"+itoa(tt.code), func(t *testing.T) {
			f := newFake(t)
			f.reply = func(w http.ResponseWriter, _ *http.Request, form url.Values) {
				writeError(w, tt.status, tt.code, twilioMessage(tt.code, form.Get("To")))
			}
			_, err := newWhatsApp(t, waConfig(f.URL())).Send(context.Background(), waMessage("en"))
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind != tt.want || pe.Code != itoa(tt.code) || pe.Provider != "whatsapp" {
				t.Fatalf("error %#v, want %v with code %d", err, tt.want, tt.code)
			}
			if strings.Contains(err.Error(), testTo) || strings.Contains(err.Error(), testCode) {
				t.Errorf("error holds the number or the code: %v", err)
			}
		})
	}
}

// TestWhatsAppFakeRefusesFreeText: the fake holds the line Twilio holds,
// so a send that forgot the template would fail here too.
func TestWhatsAppFakeRefusesFreeText(t *testing.T) {
	f := newFake(t)
	p := newProvider(t, fromConfig(f.URL()))
	m := message(time.Minute)
	m.To = "whatsapp:" + testTo
	_, err := p.Send(context.Background(), m)
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Code != "63007" {
		t.Errorf("error %v, want 63007 for an SMS sender", err)
	}
}

func TestWhatsAppNoCode(t *testing.T) {
	f := newFake(t)
	m := waMessage("en")
	m.Code = ""
	_, err := newWhatsApp(t, waConfig(f.URL())).Send(context.Background(), m)
	if providers.Classify(err) != providers.NotOnChannel || len(f.Forms()) != 0 {
		t.Errorf("error %v after %d requests, want not-on-channel before any", err, len(f.Forms()))
	}
}

func TestWhatsAppExpired(t *testing.T) {
	f := newFake(t)
	m := waMessage("en")
	m.ExpiresAt = testNow.Add(500 * time.Millisecond)
	_, err := newWhatsApp(t, waConfig(f.URL())).Send(context.Background(), m)
	if providers.Classify(err) != providers.Permanent || len(f.Forms()) != 0 {
		t.Errorf("error %v after %d requests", err, len(f.Forms()))
	}
}

func TestWhatsAppConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"TWILIO_ACCOUNT_SID":     testSID,
		"TWILIO_AUTH_TOKEN":      testToken,
		"TWILIO_FROM":            "+15550000000", // the SMS sender: not WhatsApp's
		"WHATSAPP_FROM":          "whatsapp:" + testWAFrom,
		"WHATSAPP_CONTENT_SIDS":  " en=" + sidEN + " , PT-br=" + sidPTBR,
		"TWILIO_STATUS_CALLBACK": "https://hooks.example.com/twilio",
	}
	got := twilio.WhatsAppConfigFromEnv(func(k string) string { return env[k] })
	want := twilio.WhatsAppConfig{
		Account:     twilio.Config{AccountSID: testSID, AuthToken: testToken, StatusCallback: "https://hooks.example.com/twilio"},
		From:        testWAFrom,
		ContentSIDs: []twilio.LocaleSID{{Locale: "en", SID: sidEN}, {Locale: "pt-BR", SID: sidPTBR}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestWhatsAppValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*twilio.WhatsAppConfig)
		want string
	}{
		{"no templates", func(c *twilio.WhatsAppConfig) { c.ContentSIDs = nil }, "WHATSAPP_CONTENT_SIDS"},
		{"not a content SID", func(c *twilio.WhatsAppConfig) { c.ContentSIDs[0].SID = "HXshort" }, "WHATSAPP_CONTENT_SIDS"},
		{"bad locale", func(c *twilio.WhatsAppConfig) { c.ContentSIDs[0].Locale = "english!" }, "WHATSAPP_CONTENT_SIDS"},
		{"locale twice", func(c *twilio.WhatsAppConfig) { c.ContentSIDs[1].Locale = "en" }, "WHATSAPP_CONTENT_SIDS"},
		{"no sender", func(c *twilio.WhatsAppConfig) { c.From = "" }, "WHATSAPP_FROM"},
		{"alphanumeric sender", func(c *twilio.WhatsAppConfig) { c.From = "Acme" }, "WHATSAPP_FROM"},
		{"both senders", func(c *twilio.WhatsAppConfig) { c.MessagingServiceSID = testService }, "WHATSAPP_FROM"},
		{"account", func(c *twilio.WhatsAppConfig) { c.Account.AccountSID = "" }, "TWILIO_ACCOUNT_SID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := waConfig("")
			c.ContentSIDs = append([]twilio.LocaleSID(nil), c.ContentSIDs...)
			tt.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error naming %s", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error echoes the token")
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
