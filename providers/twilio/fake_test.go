package twilio_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	testSID     = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	testToken   = "0123456789abcdef0123456789abcdef"
	testService = "MGbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	testFrom    = "+15017122661"
)

// fakeTwilio speaks the part of Twilio's REST API that Send uses:
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, a form body, HTTP
// basic auth with the account SID and auth token; 201 with a Message
// resource, or an error {"code", "message", "more_info", "status"}.
type fakeTwilio struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	forms []url.Values
	n     int

	// reply answers an accepted request; nil answers 201 with a Message.
	reply func(w http.ResponseWriter, r *http.Request, form url.Values)
}

func newFake(t *testing.T) *fakeTwilio {
	t.Helper()
	f := &fakeTwilio{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwilio) URL() string { return f.srv.URL }

// Forms returns the form of every request that reached the Messages API.
func (f *fakeTwilio) Forms() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	want := "/2010-04-01/Accounts/" + testSID + "/Messages.json"
	if r.Method != http.MethodPost || r.URL.Path != want {
		f.t.Errorf("request %s %s, want POST %s", r.Method, r.URL.Path, want)
		writeError(w, 404, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != testSID || pass != testToken {
		writeError(w, 401, 20003, "Authenticate")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		f.t.Errorf("Content-Type %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("form: %v", err)
	}
	form := r.PostForm
	f.mu.Lock()
	f.forms = append(f.forms, form)
	f.n++
	n := f.n
	f.mu.Unlock()

	to := form.Get("To")
	switch {
	case to == "":
		writeError(w, 400, 21604, "A 'To' phone number is required.")
		return
	case form.Get("Body") == "" && form.Get("ContentSid") == "":
		writeError(w, 400, 21602, "Message body is required.")
		return
	case (form.Get("From") == "") == (form.Get("MessagingServiceSid") == ""):
		writeError(w, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
		return
	}
	if v := form.Get("ValidityPeriod"); v != "" {
		if s, err := strconv.Atoi(v); err != nil || s < 1 || s > 36000 {
			writeError(w, 400, 21624, "Invalid validity period value")
			return
		}
	}
	if strings.HasPrefix(to, "whatsapp:") && !f.whatsappOK(w, form) {
		return
	}
	if f.reply != nil {
		f.reply(w, r, form)
		return
	}
	writeMessage(f.t, w, form, fmt.Sprintf("SM%032x", n))
}

// writeMessage answers 201 with the documented Message resource, echoing the
// request as Twilio does.
func writeMessage(t *testing.T, w http.ResponseWriter, form url.Values, sid string) {
	file := "testdata/message-queued.json"
	switch {
	case form.Get("MessagingServiceSid") != "":
		file = "testdata/message-accepted.json"
	case strings.HasPrefix(form.Get("To"), "whatsapp:"):
		file = "testdata/whatsapp-queued.json"
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Errorf("fixture: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Errorf("fixture %s: %v", file, err)
	}
	m["sid"], m["to"] = sid, form.Get("To")
	if body := form.Get("Body"); body != "" {
		m["body"] = body
	}
	if from := form.Get("From"); from != "" {
		m["from"] = from
	}
	m["uri"] = "/2010-04-01/Accounts/" + testSID + "/Messages/" + sid + ".json"
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(m)
}

// writeError answers Twilio's error JSON.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeErrorDetails(w, status, code, message, nil)
}

func writeErrorDetails(w http.ResponseWriter, status, code int, message string, details map[string]any) {
	body := map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	}
	if details != nil {
		body["details"] = details
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// twilioMessage is the text Twilio sends with code; like Twilio's, most of
// them quote the To number.
func twilioMessage(code int, to string) string {
	switch code {
	case 20003:
		return "Authenticate"
	case 20429:
		return "Too Many Requests"
	case 21211:
		return "The 'To' number " + to + " is not a valid phone number."
	case 21408:
		return "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: " + to
	case 21608:
		return "The number " + to + " is unverified. Trial accounts cannot send messages to unverified numbers; verify " + to + " at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number to send messages to unverified numbers."
	case 21610:
		return "Attempt to send to unsubscribed recipient " + to
	case 21614:
		return "'To' number " + strings.TrimPrefix(to, "+") + " is not a valid mobile number"
	}
	return fmt.Sprintf("Error %d for 'To' number %s", code, to)
}

// whatsappOK checks a WhatsApp send the way Twilio does, answering its
// error when it fails: a "whatsapp:" From (or a Messaging Service), a
// Content SID, variables as a JSON object of strings, and no free text
// (since April 2025 a business-initiated template must go by ContentSid:
// twilio.com/docs/api/errors/63016).
func (f *fakeTwilio) whatsappOK(w http.ResponseWriter, form url.Values) bool {
	var vars map[string]string
	switch {
	case form.Get("MessagingServiceSid") == "" && !strings.HasPrefix(form.Get("From"), "whatsapp:"):
		writeError(w, 400, 63007, "Twilio could not find a Channel with the specified From address")
	case form.Get("ContentSid") == "":
		writeError(w, 400, 63016, "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.")
	case !strings.HasPrefix(form.Get("ContentSid"), "HX") || len(form.Get("ContentSid")) != 34:
		writeError(w, 400, 21655, "The ContentSid is Invalid.")
	case json.Unmarshal([]byte(form.Get("ContentVariables")), &vars) != nil:
		writeError(w, 400, 21656, "The ContentVariables Parameter is invalid.")
	default:
		return true
	}
	return false
}
