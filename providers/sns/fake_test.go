package sns

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// fakeSNS speaks the SNS query protocol as the API reference documents it: a
// form POST (Action=Publish&Version=2010-03-31&PhoneNumber=...&Message=...&
// MessageAttributes.entry.N.Name/.Value.DataType/.Value.StringValue) answered
// with PublishResponse XML, or ErrorResponse XML and an HTTP error status.
type fakeSNS struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []publishRequest
	reply    func(publishRequest) fakeReply // nil: success
}

// publishRequest is one Publish as the fake parsed it.
type publishRequest struct {
	Form          url.Values
	Authorization string
	PhoneNumber   string
	Message       string
	Attributes    map[string]attrValue
}

type attrValue struct{ DataType, StringValue string }

// fakeReply is an error answer; Status 0 means success.
type fakeReply struct {
	Status  int
	Type    string // Sender or Receiver
	Code    string
	Message string // "$TO" is replaced by the request's PhoneNumber, as SNS echoes it
	Raw     string // a body that is not SNS XML, sent as text/html
}

const fakeRequestID = "d74b8436-ae13-5ab4-a9ff-ce54dfea72a0"

var errorTemplate = template.Must(template.ParseFiles("testdata/error_response.xml.tmpl"))

func newFakeSNS(t *testing.T) *fakeSNS {
	t.Helper()
	ok, err := os.ReadFile("testdata/publish_response.xml")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSNS{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, problem := parsePublish(r)
		if problem != "" {
			f.t.Errorf("fake SNS: %s", problem)
			f.writeError(w, fakeReply{Status: 400, Type: "Sender", Code: "InvalidAction", Message: problem})
			return
		}
		f.mu.Lock()
		f.requests = append(f.requests, req)
		reply := f.reply
		f.mu.Unlock()
		if reply != nil {
			if rep := reply(req); rep.Status != 0 {
				rep.Message = strings.ReplaceAll(rep.Message, "$TO", req.PhoneNumber)
				f.writeError(w, rep)
				return
			}
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("x-amzn-RequestId", fakeRequestID)
		w.Write(ok)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSNS) writeError(w http.ResponseWriter, rep fakeReply) {
	w.Header().Set("x-amzn-RequestId", fakeRequestID)
	if rep.Raw != "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(rep.Status)
		fmt.Fprint(w, rep.Raw)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(rep.Status)
	if err := errorTemplate.Execute(w, struct{ Type, Code, Message, RequestID string }{rep.Type, rep.Code, rep.Message, fakeRequestID}); err != nil {
		f.t.Errorf("fake SNS: %v", err)
	}
}

// parsePublish checks the documented request shape and reads it.
func parsePublish(r *http.Request) (publishRequest, string) {
	if r.Method != http.MethodPost {
		return publishRequest{}, "method " + r.Method + ", want POST"
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return publishRequest{}, "Content-Type " + ct + ", want application/x-www-form-urlencoded"
	}
	if err := r.ParseForm(); err != nil {
		return publishRequest{}, "form: " + err.Error()
	}
	form := r.PostForm
	if form.Get("Action") != "Publish" || form.Get("Version") != "2010-03-31" {
		return publishRequest{}, fmt.Sprintf("Action=%q Version=%q, want Publish 2010-03-31", form.Get("Action"), form.Get("Version"))
	}
	req := publishRequest{
		Form:          form,
		Authorization: r.Header.Get("Authorization"),
		PhoneNumber:   form.Get("PhoneNumber"),
		Message:       form.Get("Message"),
		Attributes:    map[string]attrValue{},
	}
	for n := 1; ; n++ {
		prefix := fmt.Sprintf("MessageAttributes.entry.%d.", n)
		name := form.Get(prefix + "Name")
		if name == "" {
			break
		}
		req.Attributes[name] = attrValue{
			DataType:    form.Get(prefix + "Value.DataType"),
			StringValue: form.Get(prefix + "Value.StringValue"),
		}
	}
	return req, ""
}

func (f *fakeSNS) setReply(reply func(publishRequest) fakeReply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reply = reply
}

func (f *fakeSNS) recorded() []publishRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]publishRequest(nil), f.requests...)
}

// client is the real SNS client pointed at the fake: static dummy
// credentials, us-east-1, one attempt.
func (f *fakeSNS) client() *sns.Client {
	return newClient(f.srv.URL, f.srv.Client())
}

func newClient(endpoint string, hc *http.Client) *sns.Client {
	return sns.New(sns.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	})
}
