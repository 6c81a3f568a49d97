package sns

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
)

// The message every test sends. The code is in the body; neither may ever
// appear in an error.
var testMessage = providers.Message{
	ID:        "msg-1",
	To:        "+447700900123",
	Country:   "GB",
	Body:      "Your sign-in code is 482913. @example.com #482913",
	ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
}

const testCode = "482913"

func newProvider(t *testing.T, f *fakeSNS, cfg Config) *Provider {
	t.Helper()
	p, err := New(f.client(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func TestNew(t *testing.T) {
	f := newFakeSNS(t)
	if _, err := New(nil, Config{}); err == nil {
		t.Error("New(nil client) succeeded")
	}
	_, err := New(f.client(), Config{SenderID: "x", DLTEntityID: "1"})
	if err == nil || !strings.Contains(err.Error(), EnvSenderID) || !strings.Contains(err.Error(), EnvDLTTemplateID) {
		t.Errorf("New(bad config) = %v, want an error naming %s and %s", err, EnvSenderID, EnvDLTTemplateID)
	}
	if got := newProvider(t, f, Config{}).Name(); got != "sns" {
		t.Errorf("Name() = %q, want sns", got)
	}
}

func TestSendAttributes(t *testing.T) {
	transactional := attrValue{DataType: "String", StringValue: "Transactional"}
	tests := []struct {
		name string
		cfg  Config
		want map[string]attrValue
	}{
		{
			name: "defaults",
			cfg:  Config{},
			want: map[string]attrValue{"AWS.SNS.SMS.SMSType": transactional},
		},
		{
			name: "sender id",
			cfg:  Config{SenderID: "AcmeOTP"},
			want: map[string]attrValue{
				"AWS.SNS.SMS.SMSType":  transactional,
				"AWS.SNS.SMS.SenderID": {DataType: "String", StringValue: "AcmeOTP"},
			},
		},
		{
			name: "origination number",
			cfg:  Config{OriginationNumber: "+18885550100"},
			want: map[string]attrValue{
				"AWS.SNS.SMS.SMSType":          transactional,
				"AWS.MM.SMS.OriginationNumber": {DataType: "String", StringValue: "+18885550100"},
			},
		},
		{
			name: "max price is a Number",
			cfg:  Config{MaxPrice: "0.50"},
			want: map[string]attrValue{
				"AWS.SNS.SMS.SMSType":  transactional,
				"AWS.SNS.SMS.MaxPrice": {DataType: "Number", StringValue: "0.50"},
			},
		},
		{
			name: "india dlt",
			cfg:  Config{SenderID: "ACMEIN", DLTEntityID: "1701165718168578728", DLTTemplateID: "1707166375278247471"},
			want: map[string]attrValue{
				"AWS.SNS.SMS.SMSType":   transactional,
				"AWS.SNS.SMS.SenderID":  {DataType: "String", StringValue: "ACMEIN"},
				"AWS.MM.SMS.EntityId":   {DataType: "String", StringValue: "1701165718168578728"},
				"AWS.MM.SMS.TemplateId": {DataType: "String", StringValue: "1707166375278247471"},
			},
		},
		{
			name: "everything",
			cfg:  Config{SenderID: "Acme-1", OriginationNumber: "12345", MaxPrice: "0.0075", DLTEntityID: "1", DLTTemplateID: "2"},
			want: map[string]attrValue{
				"AWS.SNS.SMS.SMSType":          transactional,
				"AWS.SNS.SMS.SenderID":         {DataType: "String", StringValue: "Acme-1"},
				"AWS.MM.SMS.OriginationNumber": {DataType: "String", StringValue: "12345"},
				"AWS.SNS.SMS.MaxPrice":         {DataType: "Number", StringValue: "0.0075"},
				"AWS.MM.SMS.EntityId":          {DataType: "String", StringValue: "1"},
				"AWS.MM.SMS.TemplateId":        {DataType: "String", StringValue: "2"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSNS(t)
			p := newProvider(t, f, tt.cfg)

			got, err := p.Send(context.Background(), testMessage)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			want := providers.Receipt{Provider: "sns", MessageID: "567910cd-659e-55d4-8ccb-5aaf14679dc0"}
			if got != want {
				t.Errorf("Send receipt = %+v, want %+v", got, want)
			}

			reqs := f.recorded()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			req := reqs[0]
			if req.PhoneNumber != testMessage.To || req.Message != testMessage.Body {
				t.Errorf("PhoneNumber, Message = %q, %q; want %q, %q", req.PhoneNumber, req.Message, testMessage.To, testMessage.Body)
			}
			if diff := cmp.Diff(tt.want, req.Attributes); diff != "" {
				t.Errorf("MessageAttributes (-want +got):\n%s", diff)
			}
			// Nothing but the documented parameters: no TopicArn, TargetArn,
			// Subject, MessageStructure.
			wantKeys := []string{"Action", "Message", "PhoneNumber", "Version"}
			for i := range len(tt.want) {
				for _, k := range []string{"Name", "Value.DataType", "Value.StringValue"} {
					wantKeys = append(wantKeys, "MessageAttributes.entry."+strconv.Itoa(i+1)+"."+k)
				}
			}
			sort.Strings(wantKeys)
			var gotKeys []string
			for k := range req.Form {
				gotKeys = append(gotKeys, k)
			}
			sort.Strings(gotKeys)
			if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
				t.Errorf("form keys (-want +got):\n%s", diff)
			}
			// Signed (SigV4) for SNS in us-east-1 with the static test key.
			if !strings.HasPrefix(req.Authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(req.Authorization, "/us-east-1/sns/aws4_request") {
				t.Errorf("Authorization = %q, want SigV4 for sns in us-east-1", req.Authorization)
			}
		})
	}
}

// TestSendConcurrent sends concurrently (run with -race) and
// checks no send sees another's attributes.
func TestSendConcurrent(t *testing.T) {
	f := newFakeSNS(t)
	p := newProvider(t, f, Config{SenderID: "Acme", MaxPrice: "0.5"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Send(context.Background(), testMessage); err != nil {
				t.Errorf("Send: %v", err)
			}
		}()
	}
	wg.Wait()
	for _, req := range f.recorded() {
		if len(req.Attributes) != 3 {
			t.Errorf("attributes = %v, want 3", req.Attributes)
		}
	}
}

func TestSendErrorClassification(t *testing.T) {
	tests := []struct {
		name     string
		reply    fakeReply
		wantCode string
		want     providers.Kind
	}{
		// Transient: throttling and server faults.
		{name: "throttled", reply: fakeReply{Status: 429, Type: "Sender", Code: "Throttled", Message: "Rate exceeded"}, wantCode: "Throttled", want: providers.Transient},
		{name: "throttling exception", reply: fakeReply{Status: 400, Type: "Sender", Code: "ThrottlingException", Message: "Rate exceeded"}, wantCode: "ThrottlingException", want: providers.Transient},
		{name: "internal error", reply: fakeReply{Status: 500, Type: "Receiver", Code: "InternalError", Message: "Internal Error"}, wantCode: "InternalError", want: providers.Transient},
		{name: "internal failure", reply: fakeReply{Status: 500, Type: "Receiver", Code: "InternalFailure", Message: "The request processing has failed"}, wantCode: "InternalFailure", want: providers.Transient},
		{name: "service unavailable", reply: fakeReply{Status: 503, Type: "Receiver", Code: "ServiceUnavailable", Message: "Service is unable to handle request"}, wantCode: "ServiceUnavailable", want: providers.Transient},
		{name: "kms throttling", reply: fakeReply{Status: 400, Type: "Sender", Code: "KMSThrottling", Message: "Rate exceeded for KMS"}, wantCode: "KMSThrottling", want: providers.Transient},
		{name: "unknown code 500", reply: fakeReply{Status: 500, Type: "Receiver", Code: "SomethingNew", Message: "?"}, wantCode: "SomethingNew", want: providers.Transient},
		{name: "unknown code 429", reply: fakeReply{Status: 429, Type: "Sender", Code: "SlowDownPlease", Message: "?"}, wantCode: "SlowDownPlease", want: providers.Transient},
		{name: "html 503 from a proxy", reply: fakeReply{Status: 503, Raw: "<html><body>Service Unavailable</body></html>"}, wantCode: "", want: providers.Transient},

		// ProviderSide: SNS refuses us.
		{name: "authorization error", reply: fakeReply{Status: 403, Type: "Sender", Code: "AuthorizationError", Message: "User: arn:aws:sts::123456789012:assumed-role/worker is not authorized to perform: SNS:Publish on resource: $TO"}, wantCode: "AuthorizationError", want: providers.ProviderSide},
		{name: "invalid client token id", reply: fakeReply{Status: 403, Type: "Sender", Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}, wantCode: "InvalidClientTokenId", want: providers.ProviderSide},
		{name: "signature does not match", reply: fakeReply{Status: 403, Type: "Sender", Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided."}, wantCode: "SignatureDoesNotMatch", want: providers.ProviderSide},
		{name: "expired token", reply: fakeReply{Status: 403, Type: "Sender", Code: "ExpiredToken", Message: "The security token included in the request is expired"}, wantCode: "ExpiredToken", want: providers.ProviderSide},
		{name: "opt in required", reply: fakeReply{Status: 403, Type: "Sender", Code: "OptInRequired", Message: "The AWS access key ID needs a subscription for the service"}, wantCode: "OptInRequired", want: providers.ProviderSide},
		{name: "invalid security", reply: fakeReply{Status: 403, Type: "Sender", Code: "InvalidSecurity", Message: "The credential signature isn't valid."}, wantCode: "InvalidSecurity", want: providers.ProviderSide},
		{name: "kms access denied", reply: fakeReply{Status: 400, Type: "Sender", Code: "KMSAccessDenied", Message: "denied"}, wantCode: "KMSAccessDenied", want: providers.ProviderSide},
		{name: "kms disabled", reply: fakeReply{Status: 400, Type: "Sender", Code: "KMSDisabled", Message: "disabled"}, wantCode: "KMSDisabled", want: providers.ProviderSide},
		{name: "kms invalid state", reply: fakeReply{Status: 400, Type: "Sender", Code: "KMSInvalidState", Message: "pending deletion"}, wantCode: "KMSInvalidState", want: providers.ProviderSide},
		{name: "kms not found", reply: fakeReply{Status: 400, Type: "Sender", Code: "KMSNotFound", Message: "not found"}, wantCode: "KMSNotFound", want: providers.ProviderSide},
		{name: "kms opt in required", reply: fakeReply{Status: 403, Type: "Sender", Code: "KMSOptInRequired", Message: "subscription needed"}, wantCode: "KMSOptInRequired", want: providers.ProviderSide},
		{name: "not found", reply: fakeReply{Status: 404, Type: "Sender", Code: "NotFound", Message: "Topic does not exist"}, wantCode: "NotFound", want: providers.ProviderSide},
		{name: "invalid action", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidAction", Message: "no such action"}, wantCode: "InvalidAction", want: providers.ProviderSide},
		{name: "unknown code 400", reply: fakeReply{Status: 400, Type: "Sender", Code: "SomethingNew", Message: "?"}, wantCode: "SomethingNew", want: providers.ProviderSide},
		{name: "html 404 from a proxy", reply: fakeReply{Status: 404, Raw: "<html><body>Not Found</body></html>"}, wantCode: "", want: providers.ProviderSide},
		{name: "sandbox destination not verified", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: PhoneNumber Reason: $TO is not verified; the account is in the SMS sandbox"}, wantCode: "InvalidParameter", want: providers.ProviderSide},
		{name: "monthly spend limit", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: the MonthlySpendLimit of this account has been reached"}, wantCode: "InvalidParameter", want: providers.ProviderSide},
		{name: "bad sender id", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: MessageAttributes Reason: AWS.SNS.SMS.SenderID is invalid"}, wantCode: "InvalidParameter", want: providers.ProviderSide},
		{name: "origination number not owned", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: OriginationNumber Reason: +18885550100 is not owned by the account"}, wantCode: "InvalidParameter", want: providers.ProviderSide},
		{name: "bad max price", reply: fakeReply{Status: 400, Type: "Sender", Code: "ParameterValueInvalid", Message: "Invalid value for AWS.SNS.SMS.MaxPrice"}, wantCode: "ParameterValueInvalid", want: providers.ProviderSide},
		{name: "message too long", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: Message too long"}, wantCode: "InvalidParameter", want: providers.ProviderSide},
		{name: "not valid to publish to", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: PhoneNumber Reason: $TO is not valid to publish to"}, wantCode: "InvalidParameter", want: providers.ProviderSide},
		{name: "unknown invalid parameter", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: Something"}, wantCode: "InvalidParameter", want: providers.ProviderSide},

		// Permanent: the number cannot receive.
		{name: "phone number format", reply: fakeReply{Status: 400, Type: "Sender", Code: "InvalidParameter", Message: "Invalid parameter: PhoneNumber Reason: $TO does not meet the E164 format"}, wantCode: "InvalidParameter", want: providers.Permanent},
		{name: "validation exception on phone number", reply: fakeReply{Status: 400, Type: "Sender", Code: "ValidationException", Message: "1 validation error detected: Value '$TO' at 'phoneNumber' failed to satisfy constraint"}, wantCode: "ValidationException", want: providers.Permanent},
		{name: "opted out", reply: fakeReply{Status: 400, Type: "Sender", Code: "OptedOut", Message: "Phone number $TO is opted out"}, wantCode: "OptedOut", want: providers.Permanent},
		{name: "endpoint disabled", reply: fakeReply{Status: 400, Type: "Sender", Code: "EndpointDisabled", Message: "Endpoint is disabled"}, wantCode: "EndpointDisabled", want: providers.Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSNS(t)
			f.setReply(func(publishRequest) fakeReply { return tt.reply })
			p := newProvider(t, f, Config{SenderID: "Acme"})

			rcpt, err := p.Send(context.Background(), testMessage)
			if err == nil {
				t.Fatalf("Send = %+v, nil; want an error", rcpt)
			}
			if rcpt != (providers.Receipt{}) {
				t.Errorf("Send receipt = %+v, want zero on error", rcpt)
			}
			var pe *providers.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Send error %T %v is not a *providers.Error", err, err)
			}
			if pe.Provider != "sns" || pe.Code != tt.wantCode || pe.Kind != tt.want {
				t.Errorf("Send error = {Provider:%q Code:%q Kind:%v}, want {sns %q %v}", pe.Provider, pe.Code, pe.Kind, tt.wantCode, tt.want)
			}
			if got := providers.Classify(err); got != tt.want {
				t.Errorf("Classify = %v, want %v", got, tt.want)
			}
			if tt.reply.Raw == "" && !strings.Contains(err.Error(), "request id "+fakeRequestID) {
				t.Errorf("error %q lacks the request id", err)
			}
			assertNoSecrets(t, err)
			if strings.Contains(tt.reply.Message, "$TO") && !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("error %q: the echoed number was not masked in place", err)
			}
			t.Logf("%v", err)
			if len(f.recorded()) != 1 {
				t.Errorf("fake got %d requests, want 1 (no retries)", len(f.recorded()))
			}
		})
	}
}

// assertNoSecrets fails if err, or anything it wraps, shows the number, the
// body or the code.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	secrets := []string{testMessage.To, strings.TrimPrefix(testMessage.To, "+"), "7700900123", testMessage.Body, testCode}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range secrets {
			if strings.Contains(e.Error(), s) {
				t.Errorf("error %q (%T) contains %q", e.Error(), e, s)
			}
		}
	}
	var apiErr interface{ ErrorMessage() string }
	if errors.As(err, &apiErr) {
		t.Errorf("error chain holds the SDK's API error %T; its message may echo the number", apiErr)
	}
}

func TestSendNotE164(t *testing.T) {
	f := newFakeSNS(t)
	p := newProvider(t, f, Config{})
	for _, to := range []string{"", "07700900123", "+44 7700 900123", "+0447700900123", "+4477009001234567"} {
		m := testMessage
		m.To = to
		_, err := p.Send(context.Background(), m)
		if providers.Classify(err) != providers.Permanent {
			t.Errorf("Send(To=%q) = %v, want Permanent", to, err)
		}
		if to != "" && strings.Contains(err.Error(), to) {
			t.Errorf("Send(To=%q) error %q shows the number", to, err)
		}
	}
	if n := len(f.recorded()); n != 0 {
		t.Errorf("fake got %d requests, want none", n)
	}
}

// blockingServer answers nothing until the request is abandoned.
func blockingServer(t *testing.T) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client that hangs up only once the body is read.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: never wait on a stuck handler
	return srv
}

func TestSendContext(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{
			name: "cancelled while waiting",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
				return ctx, cancel
			},
			want: context.Canceled,
		},
		{
			name: "cancelled before",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			want: context.Canceled,
		},
		{
			name: "deadline",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 50*time.Millisecond)
			},
			want: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := blockingServer(t)
			p, err := New(newClient(srv.URL, srv.Client()), Config{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()

			_, err = p.Send(ctx, testMessage)
			if providers.Classify(err) != providers.Transient {
				t.Errorf("Send = %v, want Transient", err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Send = %v, want errors.Is %v", err, tt.want)
			}
			var pe *providers.Error
			if errors.As(err, &pe) && pe.Code != "" {
				t.Errorf("Code = %q, want none", pe.Code)
			}
			assertNoSecrets(t, err)
			t.Logf("%v", err)
		})
	}
}

func TestSendNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more

	p, err := New(newClient(url, &http.Client{Timeout: 5 * time.Second}), Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Send(context.Background(), testMessage)
	if providers.Classify(err) != providers.Transient {
		t.Errorf("Send = %v, want Transient", err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send = %v, wraps a context error", err)
	}
	assertNoSecrets(t, err)
	t.Logf("%v", err)
}

// The SDK refuses some input before sending (a required field missing); that
// is our bug, the same for every number.
func TestClassifyInvalidParams(t *testing.T) {
	invalid := &smithy.InvalidParamsError{Context: "PublishInput"}
	invalid.Add(smithy.NewErrParamRequired("Message"))
	err := classify(&smithy.OperationError{ServiceID: "SNS", OperationName: "Publish", Err: invalid}, testMessage)
	if err.Kind != providers.ProviderSide {
		t.Errorf("classify(InvalidParamsError) = %v, want ProviderSide", err)
	}
}

func TestRedact(t *testing.T) {
	m := providers.Message{To: "+15555550100", Body: "Code 123456"}
	tests := []struct{ in, want string }{
		{"Invalid parameter: PhoneNumber Reason: +15555550100 is not valid to publish to", "Invalid parameter: PhoneNumber Reason: [redacted] is not valid to publish to"},
		{"number 15555550100 refused", "number [redacted] refused"},
		{"number +1 (555) 555-0100 refused", "number [redacted] refused"},
		{"number 555.555.0100 refused", "number [redacted] refused"},
		{"body was Code 123456", "body was [redacted]"},
		{"code 987654 leaked", "code [redacted] leaked"},
		{"Rate exceeded", "Rate exceeded"},
		{"retry in 30 s", "retry in 30 s"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := providers.Redact(tt.in, m); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("é", 400)
	if got := providers.Redact(long, m); len([]rune(got)) != providers.MaxTextLen+1 || !strings.HasSuffix(got, "…") {
		t.Errorf("redact(400 runes) has %d runes, want %d ending in …", len([]rune(got)), providers.MaxTextLen+1)
	}
}
