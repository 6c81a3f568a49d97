package awsjson

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/ptr"
)

// The regional endpoints are the ones the generated clients resolve, in
// every partition this package knows, with FIPS and dual-stack.
func TestRegionalEndpointsMatchTheSDK(t *testing.T) {
	ctx := context.Background()
	sdk := map[string]func(region string, fips, ds bool) (string, error){
		"secretsmanager": func(region string, fips, ds bool) (string, error) {
			e, err := secretsmanager.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, secretsmanager.EndpointParameters{Region: &region, UseFIPS: &fips, UseDualStack: &ds})
			return e.URI.String(), err
		},
		"cognito-idp": func(region string, fips, ds bool) (string, error) {
			e, err := cognitoidentityprovider.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, cognitoidentityprovider.EndpointParameters{Region: &region, UseFIPS: &fips, UseDualStack: &ds})
			return e.URI.String(), err
		},
		"sqs": func(region string, fips, ds bool) (string, error) {
			e, err := sqs.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, sqs.EndpointParameters{Region: &region, UseFIPS: &fips, UseDualStack: &ds})
			return e.URI.String(), err
		},
		"ssm": func(region string, fips, ds bool) (string, error) {
			e, err := ssm.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, ssm.EndpointParameters{Region: &region, UseFIPS: &fips, UseDualStack: &ds})
			return e.URI.String(), err
		},
	}
	for _, svc := range []Service{SecretsManager, SSM, CognitoIdentityProvider, SQS} {
		name := svc.EndpointName
		for _, region := range []string{"us-east-1", "eu-west-1", "ap-south-1", "ca-central-1", "cn-north-1", "sa-east-1"} {
			for _, v := range []struct{ fips, ds bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
				if strings.HasPrefix(region, "cn-") && v.fips {
					continue // no FIPS endpoints there
				}
				if svc == CognitoIdentityProvider && v.ds {
					continue // per-region dual-stack hosts: not copied (see Service)
				}
				want, err := sdk[name](region, v.fips, v.ds)
				if err != nil {
					t.Fatalf("SDK %s %s %+v: %v", name, region, v, err)
				}
				src := source{}
				if v.fips {
					src["fips"] = ""
				}
				if v.ds {
					src["dualstack"] = ""
				}
				if got := endpoint(aws.Config{Region: region, ConfigSources: []any{src}}, svc); got != want {
					t.Errorf("endpoint of %s in %s, fips %v, dual-stack %v = %s, SDK resolves %s", name, region, v.fips, v.ds, got, want)
				}
			}
		}
	}
}

// source stands for internal/awsinit's configuration source.
type source map[string]string

func (s source) GetServiceBaseEndpoint(_ context.Context, id string) (string, bool, error) {
	v, ok := s[id]
	return v, ok, nil
}

func (s source) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	_, ok := s["ignore"]
	return ok, ok, nil
}

func (s source) GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error) {
	if _, ok := s["fips"]; ok {
		return aws.FIPSEndpointStateEnabled, true, nil
	}
	return aws.FIPSEndpointStateUnset, false, nil
}

func (s source) GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error) {
	if _, ok := s["dualstack"]; ok {
		return aws.DualStackEndpointStateEnabled, true, nil
	}
	return aws.DualStackEndpointStateUnset, false, nil
}

func TestEndpointPrecedence(t *testing.T) {
	tests := []struct {
		name string
		src  source
		base *string
		want string
	}{
		{"regional", source{}, nil, "https://secretsmanager.eu-west-1.amazonaws.com"},
		{"fips", source{"fips": ""}, nil, "https://secretsmanager-fips.eu-west-1.amazonaws.com"},
		{"global", source{}, ptr.String("http://local:4566/"), "http://local:4566"},
		{"service over global", source{"Secrets Manager": "http://sm:1"}, ptr.String("http://local:4566"), "http://sm:1"},
		{"other service's endpoint", source{"SSM": "http://ssm:1"}, nil, "https://secretsmanager.eu-west-1.amazonaws.com"},
		{"ignored", source{"Secrets Manager": "http://sm:1", "ignore": ""}, nil, "https://secretsmanager.eu-west-1.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: tt.base, ConfigSources: []any{tt.src}}
			if got := endpoint(cfg, SecretsManager); got != tt.want {
				t.Errorf("endpoint = %s, want %s", got, tt.want)
			}
		})
	}
}

// server answers each request with the next reply.
func server(t *testing.T, replies ...func(w http.ResponseWriter)) (*Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(replies) {
			t.Errorf("request %d: no reply planned", i+1)
			w.WriteHeader(500)
			return
		}
		if r.Header.Get("X-Amz-Security-Token") != "token" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/") {
			t.Errorf("request not signed with the session's credentials: %v", r.Header)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		replies[i](w)
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "secret", "token"),
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 2,
	}
	return New(cfg, SSM), &n
}

func status(code int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func TestCallRetries(t *testing.T) {
	tests := []struct {
		name     string
		replies  []func(http.ResponseWriter)
		wantErr  string // "" for success
		requests int32
	}{
		{"ok", []func(http.ResponseWriter){status(200, `{"A":1}`)}, "", 1},
		{"throttled, then ok", []func(http.ResponseWriter){status(400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`), status(200, `{"A":1}`)}, "", 2},
		{"5xx twice", []func(http.ResponseWriter){status(500, `{"__type":"InternalServerError"}`), status(503, ``)}, "api error Service Unavailable (HTTP 503)", 2},
		{"client error not retried", []func(http.ResponseWriter){status(400, `{"__type":"com.amazonaws.ssm#ParameterNotFound","message":""}`)}, "api error ParameterNotFound (HTTP 400)", 1},
		{"code in header", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"Message":"not allowed"}`)
		}}, "api error AccessDeniedException: not allowed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, n := server(t, tt.replies...)
			var out struct{ A int }
			err := c.Call(context.Background(), "GetParameter", map[string]string{"Name": "x"}, &out)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Call: %v", err)
			case tt.wantErr == "" && out.A != 1:
				t.Errorf("decoded %+v", out)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Call error = %v, want %q", err, tt.wantErr)
			}
			if tt.wantErr != "" {
				var api *APIError
				if !errors.As(err, &api) {
					t.Errorf("error %v wraps no *APIError", err)
				}
			}
			if got := n.Load(); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
		})
	}
}
