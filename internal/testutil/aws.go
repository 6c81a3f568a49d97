package testutil

import (
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWSConfig points an SDK client, or internal/awsjson, at a test server
// that speaks an AWS protocol (internal/fakessm, internal/fakecognito):
// region us-east-1, static dummy credentials, the server's own HTTP client,
// and no retries (a fake answers, or the test is broken).
func AWSConfig(srv *httptest.Server) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	}
}
