package awsinit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"
)

// lambdaEnv is what Lambda sets for a function with a role (values from
// the AWS documentation's examples).
var lambdaEnv = []string{
	"AWS_REGION=eu-west-1",
	"AWS_DEFAULT_REGION=eu-west-1",
	"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
	"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"AWS_SESSION_TOKEN=session-token",
	"AWS_LAMBDA_FUNCTION_NAME=verify",
}

func without(env []string, names ...string) []string {
	var out []string
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

func with(env []string, kv ...string) []string {
	return append(append([]string(nil), env...), kv...)
}

func TestLoadFromLambdaEnvironment(t *testing.T) {
	cfg, err := load(lambdaEnv)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := struct {
		Region, ID, Secret, Token string
		Attempts                  int
		Base                      *string
	}{cfg.Region, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken, cfg.Retryer().MaxAttempts(), cfg.BaseEndpoint}
	want := struct {
		Region, ID, Secret, Token string
		Attempts                  int
		Base                      *string
	}{"eu-west-1", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "session-token", 2, nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if cfg.HTTPClient == nil {
		t.Error("no HTTP client")
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want []string // each must be in the error
	}{
		{"no region", without(lambdaEnv, "AWS_REGION", "AWS_DEFAULT_REGION"), []string{"AWS_REGION: required"}},
		{"no key id", without(lambdaEnv, "AWS_ACCESS_KEY_ID"), []string{"AWS_ACCESS_KEY_ID: required"}},
		{"no credentials at all", without(lambdaEnv, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), []string{"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: required"}},
		{"bad global endpoint", with(lambdaEnv, "AWS_ENDPOINT_URL=localhost:8000"), []string{`AWS_ENDPOINT_URL: "localhost:8000" is not an http or https URL`}},
		{"bad service endpoint", with(lambdaEnv, "AWS_ENDPOINT_URL_SQS=ftp://q"), []string{"AWS_ENDPOINT_URL_SQS: "}},
		{"bad boolean", with(lambdaEnv, "AWS_USE_FIPS_ENDPOINT=yes"), []string{`AWS_USE_FIPS_ENDPOINT: "yes" is not true or false`}},
		{"every problem at once", []string{"AWS_ENDPOINT_URL_SQS=q"}, []string{"AWS_REGION", "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_SQS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.env)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestLoadRegionAndCredentialFallbacks(t *testing.T) {
	env := with(without(lambdaEnv, "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"),
		"AWS_ACCESS_KEY=old-id", "AWS_SECRET_KEY=old-secret", "AWS_ACCOUNT_ID=123456789012")
	cfg, err := load(env)
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := cfg.Credentials.Retrieve(context.Background())
	if cfg.Region != "eu-west-1" || creds.AccessKeyID != "old-id" || creds.SecretAccessKey != "old-secret" || creds.SessionToken != "" || creds.AccountID != "123456789012" {
		t.Errorf("region %q, credentials %+v", cfg.Region, creds)
	}
}

// hits is a server that records which client called it.
func hits(t *testing.T, name string, got *[]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*got = append(*got, name)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// The SDK clients themselves pick the endpoints up, the service's own
// variable over the global one, as the SDKs document; the clients read the
// presence of both variables from the process environment, so so does
// this test.
func TestEndpointsReachTheClients(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string // {global}, {dynamodb}, {sqs} name servers
		wantDDB    string
		wantSQS    string
		wantIgnore bool
	}{
		{"global only", map[string]string{"AWS_ENDPOINT_URL": "global"}, "global", "global", false},
		{"service over global", map[string]string{"AWS_ENDPOINT_URL": "global", "AWS_ENDPOINT_URL_DYNAMODB": "dynamodb"}, "dynamodb", "global", false},
		{"service only", map[string]string{"AWS_ENDPOINT_URL_SQS": "sqs"}, "", "sqs", false},
		{"ignored", map[string]string{"AWS_ENDPOINT_URL": "global", "AWS_ENDPOINT_URL_SQS": "sqs", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			env := append([]string(nil), lambdaEnv...)
			for k, server := range tt.env {
				v := server
				if k != "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" {
					v = hits(t, server, &got)
				}
				t.Setenv(k, v)
				env = append(env, k+"="+v)
			}
			cfg, err := load(env)
			if err != nil {
				t.Fatal(err)
			}
			ddb := dynamodb.NewFromConfig(cfg)
			q := sqs.NewFromConfig(cfg)
			if tt.wantIgnore {
				// Nothing configured is used: the clients would go to AWS.
				if v, found, _ := cfg.ConfigSources[0].(endpointSource).GetServiceBaseEndpoint(context.Background(), "SQS"); cfg.BaseEndpoint != nil || found {
					t.Errorf("endpoints not ignored: base %v, sqs %q", aws.ToString(cfg.BaseEndpoint), v)
				}
				return
			}
			ctx := context.Background()
			if tt.wantDDB != "" {
				_, _ = ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
			}
			if tt.wantSQS != "" {
				_, _ = q.ListQueues(ctx, &sqs.ListQueuesInput{})
			}
			var want []string
			for _, w := range []string{tt.wantDDB, tt.wantSQS} {
				if w != "" {
					want = append(want, w)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("servers called (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFIPSAndDualStack(t *testing.T) {
	cfg, err := load(with(lambdaEnv, "AWS_USE_FIPS_ENDPOINT=true", "AWS_USE_DUALSTACK_ENDPOINT=TRUE"))
	if err != nil {
		t.Fatal(err)
	}
	// The client reads them from the config sources, as it does from the
	// SDK's own configuration.
	o := dynamodb.NewFromConfig(cfg).Options().EndpointOptions
	if o.UseFIPSEndpoint != aws.FIPSEndpointStateEnabled || o.UseDualStackEndpoint != aws.DualStackEndpointStateEnabled {
		t.Errorf("client endpoint options %+v", o)
	}
}
