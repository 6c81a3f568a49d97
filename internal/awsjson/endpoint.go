package awsjson

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The methods a generated client looks for in aws.Config.ConfigSources
// (the SDK's internal configsources interfaces; internal/awsinit's source
// and the SDK config package's both have them).
type (
	serviceEndpointSource interface {
		GetServiceBaseEndpoint(ctx context.Context, sdkID string) (string, bool, error)
	}
	ignoreEndpointsSource interface {
		GetIgnoreConfiguredEndpoints(ctx context.Context) (bool, bool, error)
	}
	fipsSource interface {
		GetUseFIPSEndpoint(ctx context.Context) (aws.FIPSEndpointState, bool, error)
	}
	dualStackSource interface {
		GetUseDualStackEndpoint(ctx context.Context) (aws.DualStackEndpointState, bool, error)
	}
)

// endpoint is the base URL a generated client of svc would call: the
// service's configured endpoint, else cfg.BaseEndpoint, else the regional
// endpoint (FIPS and dual-stack variants as configured).
func endpoint(cfg aws.Config, svc Service) string {
	ctx := context.Background()
	ignore := false
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(ignoreEndpointsSource); ok {
			if v, found, err := p.GetIgnoreConfiguredEndpoints(ctx); err == nil && found {
				ignore = v
				break
			}
		}
	}
	if !ignore {
		for _, s := range cfg.ConfigSources {
			if p, ok := s.(serviceEndpointSource); ok {
				if v, found, err := p.GetServiceBaseEndpoint(ctx, svc.SDKID); err == nil && found {
					return strings.TrimSuffix(v, "/")
				}
			}
		}
	}
	if cfg.BaseEndpoint != nil {
		return strings.TrimSuffix(*cfg.BaseEndpoint, "/")
	}
	fips, dualStack := false, false
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(fipsSource); ok && !fips {
			v, found, err := p.GetUseFIPSEndpoint(ctx)
			fips = err == nil && found && v == aws.FIPSEndpointStateEnabled
		}
		if p, ok := s.(dualStackSource); ok && !dualStack {
			v, found, err := p.GetUseDualStackEndpoint(ctx)
			dualStack = err == nil && found && v == aws.DualStackEndpointStateEnabled
		}
	}
	return regional(svc.EndpointName, cfg.Region, fips, dualStack && !svc.DualStackIsRegional)
}

// regional is the endpoint of the AWS partitions' rule sets for a
// region: https://<name>[-fips].<region>.<dns suffix>. Regions of
// partitions not listed here (ISO) need AWS_ENDPOINT_URL_<SERVICE>.
func regional(name, region string, fips, dualStack bool) string {
	suffix, dsSuffix := "amazonaws.com", "api.aws"
	switch {
	case strings.HasPrefix(region, "cn-"):
		suffix, dsSuffix = "amazonaws.com.cn", "api.amazonwebservices.com.cn"
	case strings.HasPrefix(region, "eusc-"):
		suffix, dsSuffix = "amazonaws.eu", "api.amazonwebservices.eu"
	}
	if dualStack {
		suffix = dsSuffix
	}
	if fips {
		name += "-fips"
	}
	return "https://" + name + "." + region + "." + suffix
}
