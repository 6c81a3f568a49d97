package awsinit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
)

// The variables Load reads, as the AWS SDKs name them.
const (
	EnvRegion        = "AWS_REGION"
	EnvDefaultRegion = "AWS_DEFAULT_REGION" // read when AWS_REGION is unset, as the SDK does
	EnvAccessKeyID   = "AWS_ACCESS_KEY_ID"
	EnvSecretKey     = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken  = "AWS_SESSION_TOKEN"
	EnvAccountID     = "AWS_ACCOUNT_ID"
	// EnvEndpointURL points every client elsewhere; AWS_ENDPOINT_URL_<SERVICE>
	// (the service's SDK id in upper case, spaces as "_": DYNAMODB, SQS, SNS,
	// SECRETS_MANAGER, SSM, KMS, COGNITO_IDENTITY_PROVIDER) one client, over
	// AWS_ENDPOINT_URL.
	EnvEndpointURL       = "AWS_ENDPOINT_URL"
	EnvIgnoreEndpoints   = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
	EnvUseFIPSEndpoint   = "AWS_USE_FIPS_ENDPOINT"
	EnvUseDualStack      = "AWS_USE_DUALSTACK_ENDPOINT"
	endpointURLPrefix    = EnvEndpointURL + "_"
	accessKeyIDAlias     = "AWS_ACCESS_KEY" // the SDK's older spellings
	secretAccessKeyAlias = "AWS_SECRET_KEY"
)

// sdkAttempts bounds each AWS call: Cognito gives a trigger 5 s in all, so
// one retry fits and a third attempt would not.
const sdkAttempts = 2

// Load builds the AWS configuration from the process environment:
//
//   - the region from AWS_REGION (else AWS_DEFAULT_REGION);
//   - static credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN, which Lambda sets from the function's role for the
//     life of the execution environment (AWS_ACCOUNT_ID too when set);
//   - endpoints from AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, the
//     service-specific one first, both ignored when
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true, and FIPS or dual-stack
//     endpoints from AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT,
//     as the SDK's own configuration resolves them;
//   - at most 2 attempts per call (Retryer), and the SDK's default HTTP
//     client.
//
// Shared config and credentials files, profiles, SSO, web identity, the
// container and instance metadata credential endpoints are not read: a
// Lambda function has none of them. Run outside Lambda (the worker's
// polling mode), give it credentials through the same variables. Errors
// name the variable.
func Load(ctx context.Context) (aws.Config, error) {
	return load(os.Environ())
}

// load is Load over an environment in os.Environ's form.
func load(environ []string) (aws.Config, error) {
	env := envMap(environ)
	var errs []error
	region := firstSet(env, EnvRegion, EnvDefaultRegion)
	if region == "" {
		errs = append(errs, fmt.Errorf("%s: required (Lambda sets it; elsewhere set the region of the table and queue)", EnvRegion))
	}
	creds, err := envCredentials(env)
	errs = append(errs, err)
	src, err := newEndpointSource(env)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return aws.Config{}, fmt.Errorf("aws configuration: %w", err)
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: creds,
		HTTPClient:  awshttp.NewBuildableClient(),
		Retryer:     Retryer,
		Logger:      logging.NewStandardLogger(os.Stderr),
		// Each client asks its sources for AWS_ENDPOINT_URL_<SERVICE> and
		// the FIPS and dual-stack choices when it is built.
		ConfigSources: []any{src},
	}
	if src.global != "" {
		cfg.BaseEndpoint = aws.String(src.global)
	}
	return cfg, nil
}

func envMap(environ []string) map[string]string {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// firstSet is the value of the first of names set to something non-empty.
func firstSet(env map[string]string, names ...string) string {
	for _, n := range names {
		if v := env[n]; v != "" {
			return v
		}
	}
	return ""
}

// envCredentials are the static credentials the environment holds.
func envCredentials(env map[string]string) (aws.CredentialsProvider, error) {
	id := firstSet(env, EnvAccessKeyID, accessKeyIDAlias)
	secret := firstSet(env, EnvSecretKey, secretAccessKeyAlias)
	var missing []string
	if id == "" {
		missing = append(missing, EnvAccessKeyID)
	}
	if secret == "" {
		missing = append(missing, EnvSecretKey)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: required (Lambda sets them from the function's role)", strings.Join(missing, ", "))
	}
	p := credentials.NewStaticCredentialsProvider(id, secret, env[EnvSessionToken])
	p.Value.AccountID = env[EnvAccountID]
	p.Value.Source = "Environment"
	return p, nil
}

// endpointSource answers the SDK clients' questions about configured
// endpoints (the methods of the SDK's internal configsources interfaces,
// which every service client looks for in aws.Config.ConfigSources).
type endpointSource struct {
	global    string
	byService map[string]string // AWS_ENDPOINT_URL_<SERVICE> suffix -> URL
	ignore    bool
	fips      aws.FIPSEndpointState
	dualStack aws.DualStackEndpointState
}

func newEndpointSource(env map[string]string) (endpointSource, error) {
	var errs []error
	boolean := func(name string) bool {
		v, ok := env[name]
		if !ok || v == "" {
			return false
		}
		switch strings.ToLower(v) {
		case "true":
			return true
		case "false":
			return false
		}
		errs = append(errs, fmt.Errorf("%s: %q is not true or false", name, v))
		return false
	}
	s := endpointSource{byService: map[string]string{}, ignore: boolean(EnvIgnoreEndpoints)}
	if boolean(EnvUseFIPSEndpoint) {
		s.fips = aws.FIPSEndpointStateEnabled
	}
	if boolean(EnvUseDualStack) {
		s.dualStack = aws.DualStackEndpointStateEnabled
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names) // errors in a stable order
	for _, k := range names {
		if k != EnvEndpointURL && !strings.HasPrefix(k, endpointURLPrefix) || env[k] == "" {
			continue
		}
		if err := checkEndpoint(env[k]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			continue
		}
		if k == EnvEndpointURL {
			s.global = env[k]
		} else {
			s.byService[strings.TrimPrefix(k, endpointURLPrefix)] = env[k]
		}
	}
	if s.ignore {
		s.global, s.byService = "", nil
	}
	return s, errors.Join(errs...)
}

// checkEndpoint refuses what the SDK would only fail on at the first call.
func checkEndpoint(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http or https URL", v)
	}
	return nil
}

// GetServiceBaseEndpoint returns AWS_ENDPOINT_URL_<SERVICE> for the client
// whose SDK id is sdkID ("DynamoDB", "Secrets Manager").
func (s endpointSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v, ok := s.byService[strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_")]
	return v, ok, nil
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (s endpointSource) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return s.ignore, s.ignore, nil
}

// GetUseFIPSEndpoint reports AWS_USE_FIPS_ENDPOINT.
func (s endpointSource) GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error) {
	return s.fips, s.fips != aws.FIPSEndpointStateUnset, nil
}

// GetUseDualStackEndpoint reports AWS_USE_DUALSTACK_ENDPOINT.
func (s endpointSource) GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error) {
	return s.dualStack, s.dualStack != aws.DualStackEndpointStateUnset, nil
}
