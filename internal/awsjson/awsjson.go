// Package awsjson calls single operations of AWS services that speak the
// AWS JSON 1.1 or 1.0 protocol (Secrets Manager, SSM, Cognito user pools,
// SQS), signed with the SDK's own
// SigV4 signer, from an aws.Config. It exists so that a function reading one
// secret, or mark one attribute, need not link a whole generated service
// client: the SSM and Secrets Manager clients add about 4.5 MB to a binary,
// the Cognito one about 4 MB, for one operation each.
//
// It does what the generated clients do for those calls and nothing more:
// endpoints as the client would resolve them (AWS_ENDPOINT_URL_<SERVICE>,
// AWS_ENDPOINT_URL, FIPS, dual-stack, else the regional endpoint), one
// retry on a throttle, a 5xx or a lost connection, and the service's error
// code and message as an *APIError. No paginators, waiters or
// presigning.
//
// For the secret, the AWS Parameters and Secrets Lambda Extension would
// need no client at all, but it refuses requests during the function's
// init (HTTP 400 until the first invocation), and the functions read the
// secret at init so that a missing or bad secret fails the start, not the
// first sign-in; it would also add a layer whose ARN differs per region,
// a second cache in front of secret.Cache, and not exist outside Lambda.
package awsjson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/pause"
)

// Service names one AWS JSON 1.1 service.
type Service struct {
	SDKID        string // "Secrets Manager": AWS_ENDPOINT_URL_SECRETS_MANAGER
	EndpointName string // host prefix of its regional endpoint: "secretsmanager"
	SigningName  string // service in the SigV4 credential scope
	TargetPrefix string // X-Amz-Target is TargetPrefix + "." + operation
	// JSON10 says the service speaks AWS JSON 1.0 (SQS), not 1.1; the two
	// differ in the Content-Type only.
	JSON10 bool
	// DualStackIsRegional: the dual-stack setting changes no host. Secrets
	// Manager's regional endpoint serves IPv6 too; Cognito's rule set names
	// dual-stack hosts region by region, which we do not copy, so a
	// dual-stack Cognito endpoint needs AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.
	DualStackIsRegional bool
}

// The services this project calls through this package.
var (
	SecretsManager = Service{SDKID: "Secrets Manager", EndpointName: "secretsmanager", SigningName: "secretsmanager", TargetPrefix: "secretsmanager", DualStackIsRegional: true}
	SSM            = Service{SDKID: "SSM", EndpointName: "ssm", SigningName: "ssm", TargetPrefix: "AmazonSSM"}
	// SQS is Amazon SQS's JSON protocol.
	SQS = Service{SDKID: "SQS", EndpointName: "sqs", SigningName: "sqs", TargetPrefix: "AmazonSQS", JSON10: true}
	// CognitoIdentityProvider is the user pools API (cognito-idp).
	CognitoIdentityProvider = Service{SDKID: "Cognito Identity Provider", EndpointName: "cognito-idp", SigningName: "cognito-idp", TargetPrefix: "AWSCognitoIdentityProviderService", DualStackIsRegional: true}
)

// maxResponse bounds a response body: a secret is at most 64 KiB, a
// parameter 8 KiB.
const maxResponse = 1 << 20

// defaultAttempts is the SDK's default when aws.Config leaves it at zero.
const defaultAttempts = 3

// Client calls one service.
type Client struct {
	svc      Service
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	http     aws.HTTPClient
	attempts int
	retryer  aws.Retryer // its RetryDelay paces retries; nil: backoff's own
	signer   *v4.Signer
	now      func() time.Time
}

// New returns a client of svc configured by cfg: its region, credentials,
// HTTP client, attempts (RetryMaxAttempts, else the Retryer's) and
// configured endpoints.
func New(cfg aws.Config, svc Service) *Client {
	c := &Client{
		svc:      svc,
		endpoint: endpoint(cfg, svc),
		region:   cfg.Region,
		creds:    cfg.Credentials,
		http:     cfg.HTTPClient,
		attempts: cfg.RetryMaxAttempts,
		signer:   v4.NewSigner(),
		now:      time.Now,
	}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if cfg.Retryer != nil {
		// The functions' retry policy (internal/awsinit): the same pause
		// as the generated clients, within Cognito's 5 s.
		c.retryer = cfg.Retryer()
		if c.attempts <= 0 {
			c.attempts = c.retryer.MaxAttempts()
		}
	}
	if c.attempts <= 0 {
		c.attempts = defaultAttempts
	}
	return c
}

// APIError is an error the service answered with.
type APIError struct {
	Status  int    // HTTP status
	Code    string // "ResourceNotFoundException", "ParameterNotFound", ...
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("api error %s (HTTP %d)", e.Code, e.Status)
	}
	return fmt.Sprintf("api error %s: %s", e.Code, e.Message)
}

// retryable says whether another attempt may succeed, by the SDK's own
// tables (the standard retryer's throttle and retryable error codes and
// HTTP statuses), so this client and the generated ones agree.
func (e *APIError) retryable() bool {
	if _, ok := retry.DefaultThrottleErrorCodes[e.Code]; ok {
		return true
	}
	if _, ok := retry.DefaultRetryableErrorCodes[e.Code]; ok {
		return true
	}
	if _, ok := retry.DefaultRetryableHTTPStatusCodes[e.Status]; ok {
		return true
	}
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// Call runs operation with in as the JSON request and decodes the response
// into out. Errors wrap *APIError when the service answered with one.
func (c *Client) Call(ctx context.Context, operation string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s %s: encode request: %w", c.svc.SDKID, operation, err)
	}
	var lastErr error
	for attempt := 1; attempt <= c.attempts; attempt++ {
		if attempt > 1 {
			if err := c.pause(ctx, attempt, lastErr); err != nil {
				return fmt.Errorf("%s %s: %w (after %w)", c.svc.SDKID, operation, err, lastErr)
			}
		}
		retry, err := c.try(ctx, operation, body, out)
		if err == nil {
			return nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("%s %s: %w", c.svc.SDKID, operation, lastErr)
}

// try makes one attempt and says whether a failure may be retried.
func (c *Client) try(ctx context.Context, operation string, body []byte, out any) (bool, error) {
	req, err := c.request(ctx, operation, body)
	if err != nil {
		return false, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return true, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return true, fmt.Errorf("read response: %w", err)
	}
	if len(data) > maxResponse {
		return false, fmt.Errorf("response longer than %d bytes", maxResponse)
	}
	if resp.StatusCode/100 != 2 {
		apiErr := decodeError(resp, data)
		return apiErr.retryable(), apiErr
	}
	if err := json.Unmarshal(data, out); err != nil {
		return false, fmt.Errorf("decode response: %w", err)
	}
	return false, nil
}

// request builds and signs one attempt's request.
func (c *Client) request(ctx context.Context, operation string, body []byte) (*http.Request, error) {
	if c.creds == nil {
		return nil, errors.New("no credentials")
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	contentType := "application/x-amz-json-1.1"
	if c.svc.JSON10 {
		contentType = "application/x-amz-json-1.0"
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", c.svc.TargetPrefix+"."+operation)
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.svc.SigningName, c.region, c.now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return req, nil
}

// decodeError reads the error code from X-Amzn-ErrorType or the body's
// __type (or code), dropping a namespace ("...#Code") and a trailing
// ":<uri>", as the AWS JSON protocol specifies.
func decodeError(resp *http.Response, data []byte) *APIError {
	var b struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Msg     string `json:"Message"`
	}
	_ = json.Unmarshal(data, &b) // a body that is not JSON leaves the code to the header or status
	code := resp.Header.Get("X-Amzn-ErrorType")
	for _, c := range []string{b.Type, b.Code} {
		if code == "" {
			code = c
		}
	}
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndex(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = http.StatusText(resp.StatusCode)
	}
	msg := b.Message
	if msg == "" {
		msg = b.Msg
	}
	return &APIError{Status: resp.StatusCode, Code: code, Message: msg}
}

// pause waits before attempt (2, 3, ...) after err: the configured
// retryer's delay, else a random time up to 100 ms × 2^(attempt-2); bounded
// by ctx.
func (c *Client) pause(ctx context.Context, attempt int, err error) error {
	d := time.Duration(rand.Int64N(int64(100*time.Millisecond) << (attempt - 2)))
	if c.retryer != nil {
		if rd, rerr := c.retryer.RetryDelay(attempt-1, err); rerr == nil {
			d = rd
		}
	}
	if err := pause.For(ctx, d); err != nil {
		return context.Cause(ctx)
	}
	return nil
}
