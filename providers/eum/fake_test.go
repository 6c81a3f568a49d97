package eum_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sms "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
)

// fakeEUM speaks the part of pinpoint-sms-voice-v2 that Send uses, as the
// API reference documents it: AWS JSON 1.0 (POST /, Content-Type
// application/x-amz-json-1.0, X-Amz-Target PinpointSMSVoiceV2.SendTextMessage,
// SigV4 for the sms-voice service), answered with {"MessageId"} or an error
// body from testdata/ and its HTTP status.
type fakeEUM struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []map[string]any
	reply    string // an error fixture's name; "" answers success
}

const fakeRequestID = "d74b8436-ae13-5ab4-a9ff-ce54dfea72a0"

func newFake(t *testing.T) *fakeEUM {
	t.Helper()
	f := &fakeEUM{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEUM) serve(w http.ResponseWriter, r *http.Request) {
	if problem := checkRequest(r); problem != "" {
		f.t.Errorf("fake EUM: %s", problem)
		writeJSON(w, 400, `{"__type":"com.amazonaws.pinpointsmsvoicev2#ValidationException","Message":"`+problem+`","Reason":"UNKNOWN_OPERATION"}`)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var in map[string]any
	if err := json.Unmarshal(raw, &in); err != nil {
		f.t.Errorf("fake EUM: body is not JSON: %v", err)
	}
	f.mu.Lock()
	f.requests = append(f.requests, in)
	reply := f.reply
	f.mu.Unlock()
	if _, ok := in["DestinationPhoneNumber"].(string); !ok {
		writeJSON(w, 400, `{"__type":"com.amazonaws.pinpointsmsvoicev2#ValidationException","Message":"DestinationPhoneNumber is required","Reason":"MISSING_PARAMETER","Fields":[{"Name":"DestinationPhoneNumber","Message":"required"}]}`)
		return
	}
	if reply == "" {
		writeJSON(w, 200, f.fixture("send_text_message.json"))
		return
	}
	status := 400
	if reply == "error-internal.json" {
		status = 500
	}
	writeJSON(w, status, strings.ReplaceAll(f.fixture(reply), "$TO", in["DestinationPhoneNumber"].(string)))
}

func checkRequest(r *http.Request) string {
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		return "want POST /"
	case r.Header.Get("Content-Type") != "application/x-amz-json-1.0":
		return "Content-Type " + r.Header.Get("Content-Type")
	case r.Header.Get("X-Amz-Target") != "PinpointSMSVoiceV2.SendTextMessage":
		return "X-Amz-Target " + r.Header.Get("X-Amz-Target")
	case !strings.Contains(r.Header.Get("Authorization"), "/sms-voice/aws4_request"):
		return "not signed for sms-voice"
	}
	return ""
}

func (f *fakeEUM) fixture(name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-RequestId", fakeRequestID)
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// Requests are the decoded bodies of every SendTextMessage.
func (f *fakeEUM) Requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.requests...)
}

// client is the SDK client the worker builds, pointed at the fake.
func (f *fakeEUM) client() *sms.Client {
	return sms.New(sms.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(f.srv.URL),
		RetryMaxAttempts: 1,
		HTTPClient:       f.srv.Client(),
	})
}
