package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsinit"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// wireFakes are the providers' APIs at the protocol level, as their
// references document them: Twilio's Messages resource (form POST, basic
// auth; 201 with a Message, or its error JSON), SNS Publish (query API;
// PublishResponse XML) and End User Messaging SMS SendTextMessage (AWS JSON
// 1.0). Each answers from a script keyed by what it was sent.
type wireFakes struct {
	mu    sync.Mutex
	calls []string // "twilio:+91...", "whatsapp:+91...", "sns:+1...", "eum:+91..."
	// fail maps a call ("eum:+919876543210") to an error answer.
	fail map[string]func(w http.ResponseWriter)
}

func (f *wireFakes) record(call string) func(w http.ResponseWriter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	return f.fail[call]
}

const (
	chainAccount = "AC0123456789abcdef0123456789abcdef"
	chainToken   = "0123456789abcdef0123456789abcdef"
)

func (f *wireFakes) twilio(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	if r.URL.Path != "/2010-04-01/Accounts/"+chainAccount+"/Messages.json" || user != chainAccount || pass != chainToken || r.ParseForm() != nil {
		http.Error(w, `{"code":20404,"message":"not found","status":404}`, http.StatusNotFound)
		return
	}
	to, name := r.PostForm.Get("To"), "twilio"
	if strings.HasPrefix(to, "whatsapp:") {
		name = "whatsapp"
		if r.PostForm.Get("ContentSid") == "" || !strings.HasPrefix(r.PostForm.Get("From"), "whatsapp:") {
			writeTwilioError(w, 400, 63016, "Failed to send freeform message because you are outside the allowed window.")
			return
		}
	}
	if fail := f.record(name + ":" + strings.TrimPrefix(to, "whatsapp:")); fail != nil {
		fail(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("SM%032d", len(f.calls)), "status": "queued", "to": to, "from": r.PostForm.Get("From")})
}

func writeTwilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":%q,"more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`, code, msg, code, status)
}

func (f *wireFakes) aws(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("X-Amz-Target") == "PinpointSMSVoiceV2.SendTextMessage" {
		var in struct{ DestinationPhoneNumber string }
		json.Unmarshal(body, &in)
		if fail := f.record("eum:" + in.DestinationPhoneNumber); fail != nil {
			fail(w)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{"MessageId":"862a8790-60c0-4430-9b2b-658bdexample"}`)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("Action") != "Publish" {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	f.record("sns:" + form.Get("PhoneNumber"))
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult><ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>`)
}

// TestChainOfEveryProvider: console, sns, twilio, whatsapp and eum built
// from configuration alone, routed and failing over at the wire.
func TestChainOfEveryProvider(t *testing.T) {
	f := &wireFakes{fail: map[string]func(http.ResponseWriter){
		// Not a WhatsApp user: Twilio's 63024; End User Messaging throttles.
		"whatsapp:+919876543210": func(w http.ResponseWriter) { writeTwilioError(w, 400, 63024, "Invalid message recipient") },
		"eum:+919876543210": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"com.amazonaws.pinpointsmsvoicev2#ThrottlingException","Message":"Rate exceeded"}`)
		},
	}}
	tw := httptest.NewServer(http.HandlerFunc(f.twilio))
	t.Cleanup(tw.Close)
	aw := httptest.NewServer(http.HandlerFunc(f.aws))
	t.Cleanup(aw.Close)
	for k, v := range map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_ENDPOINT_URL_SNS": aw.URL, "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2": aw.URL,
		"OTP_TABLE_NAME": "otp", "OTP_QUEUE_URL": "https://sqs.example/q", "OTP_DLQ_URL": "https://sqs.example/dlq",
		"OTP_SECRET":         "plain:wiring-test-secret-0123456789abcdef-0123",
		"SMS_PROVIDERS":      "sns,console",
		"SMS_ROUTES":         "IN=whatsapp,eum,twilio;BR=console",
		"TWILIO_ACCOUNT_SID": chainAccount, "TWILIO_AUTH_TOKEN_SECRET": "plain:" + chainToken,
		"TWILIO_FROM": "+15017122661", "TWILIO_API_BASE_URL": tw.URL,
		"WHATSAPP_FROM": "+15017122662", "WHATSAPP_CONTENT_SIDS": "en=HX0123456789abcdef0123456789abcdef",
		"EUM_ORIGINATION_IDENTITY": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123",
	} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	s, err := worker.SettingsFromEnv(os.Getenv, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := awsinit.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var console strings.Builder
	chain, _, err := deps{aws: cfg}.chain(ctx, s, os.Getenv, &console, routed{})
	if err != nil {
		t.Fatalf("chain: %v", err)
	}
	tests := []struct {
		name, to, country, prefer string
		want                      []string // provider: kind of each attempt ("" sent)
	}{
		{"India: not on WhatsApp, EUM throttled, Twilio SMS", "+919876543210", "IN", "", []string{"whatsapp:not-on-channel", "eum:transient", "twilio:"}},
		{"India, SMS preferred: EUM first", "+919812345678", "IN", "sms", []string{"eum:"}},
		{"India, WhatsApp user", "+919812345678", "IN", "", []string{"whatsapp:"}},
		{"US: the default order", "+14155550123", "US", "whatsapp", []string{"sns:"}},
		{"Brazil: console", "+5511987654321", "BR", "", []string{"console:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := providers.Message{ID: "m-" + tt.country, To: tt.to, Country: tt.country, Body: "Your code is 123456",
				Code: "123456", Locale: "en", Prefer: tt.prefer, ExpiresAt: time.Now().Add(3 * time.Minute)}
			_, trace, err := chain.SendTrace(ctx, m)
			if err != nil {
				t.Fatalf("SendTrace: %v", err)
			}
			var got []string
			for _, a := range trace {
				k := ""
				if a.Kind != 0 {
					k = a.Kind.String()
				}
				got = append(got, a.Provider+":"+k)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("attempts (-want +got):\n%s", diff)
			}
		})
	}
	if !strings.Contains(console.String(), "to=+5511987654321") {
		t.Errorf("console printed %q", console.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	want := []string{"whatsapp:+919876543210", "eum:+919876543210", "twilio:+919876543210", "eum:+919812345678", "whatsapp:+919812345678", "sns:+14155550123"}
	if diff := cmp.Diff(want, f.calls); diff != "" {
		t.Errorf("requests at the wire (-want +got):\n%s", diff)
	}
}
