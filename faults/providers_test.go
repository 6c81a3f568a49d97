package faults_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/faultproxy"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/sns"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
)

// handset is every phone: the provider fakes hand it what they accept.
type handset struct {
	mu  sync.Mutex
	got map[string][]sms // by number
}

func newHandset() *handset { return &handset{got: map[string][]sms{}} }

func (h *handset) receive(provider, to, body string) {
	code := ""
	if m := smsCode.FindStringSubmatch(body); m != nil {
		code = m[1]
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got[to] = append(h.got[to], sms{code: code, provider: provider, at: time.Now()})
}

func (h *handset) inbox(to string) []sms {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sms(nil), h.got[to]...)
}

func newSID(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// twilioFake answers Twilio's Messages API (POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json, form To, From, Body) as
// Twilio documents it: 201 and the message resource.
func twilioFake(t testing.TB, h *handset) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.ParseForm() != nil {
			http.Error(w, `{"code":20001,"message":"bad request","status":400}`, http.StatusBadRequest)
			return
		}
		sid := newSID("SM")
		h.receive(twilio.Name, r.PostForm.Get("To"), r.PostForm.Get("Body"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid":%q,"status":"queued","to":%q,"num_segments":"1","error_code":null}`, sid, r.PostForm.Get("To"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// snsFake answers SNS Publish with a PhoneNumber (AWS query protocol) as
// the SNS API reference shows: a PublishResponse with the MessageId.
func snsFake(t testing.TB, h *handset) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ParseForm() != nil || r.PostForm.Get("Action") != "Publish" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>bad</Message></Error><RequestId>x</RequestId></ErrorResponse>`)
			return
		}
		h.receive("sns", r.PostForm.Get("PhoneNumber"), r.PostForm.Get("Message"))
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>%s</MessageId></PublishResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></PublishResponse>`, newSID(""), newSID(""))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// providerPair is Twilio then SNS, each behind its fault proxy, as the
// sms-worker wires them (SNS without SDK retries: the chain moves on).
type providerPair struct {
	phones      *handset
	twilio, sns *faultproxy.Proxy
	chain       *providers.Chain
}

func newProviders(t testing.TB, seed uint64, tw, sn faultproxy.Config) *providerPair {
	t.Helper()
	p := &providerPair{phones: newHandset()}
	tw.Protocol, tw.Seed = faultproxy.Twilio, seed+2
	sn.Protocol, sn.Seed = faultproxy.SNS, seed+3
	p.twilio = faultproxy.Start(t, twilioFake(t, p.phones), tw)
	p.sns = faultproxy.Start(t, snsFake(t, p.phones), sn)
	twp, err := twilio.New(twilio.Config{AccountSID: "AC" + hex.EncodeToString(make([]byte, 16)), AuthToken: "0123456789abcdef0123456789abcdef",
		From: "+15005550006", APIBaseURL: p.twilio.URL})
	if err != nil {
		t.Fatal(err)
	}
	client := awssns.New(awssns.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.sns.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	snp, err := sns.New(client, sns.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p.chain, err = providers.NewChain([]providers.Provider{twp, snp}, nil, providers.BreakerConfig{CoolDown: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// answerLost counts the sends a provider accepted but whose answer the
// worker never read: each may come back as a second SMS.
func (p *providerPair) answerLost() int {
	n := 0
	for _, s := range []faultproxy.Stats{p.twilio.Stats(), p.sns.Stats()} {
		n += s.Faults[faultproxy.ResetAfter] + s.Faults[faultproxy.Truncate]
	}
	return n
}
