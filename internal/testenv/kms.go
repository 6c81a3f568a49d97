package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KMSEndpointEnv is how scripts/test hands over the local-kms it started.
const KMSEndpointEnv = "OTP_TEST_KMS_ENDPOINT"

// kmsBinary is where scripts/test builds local-kms (go install).
var kmsBinary = filepath.Join(".cache", "local-kms", "bin", "local-kms")

var kmsServer = &server{
	name:      "local-kms",
	env:       KMSEndpointEnv,
	readyPath: "/",
	command: func(root string, port int) (*exec.Cmd, error) {
		bin := filepath.Join(root, kmsBinary)
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("local-kms is not installed at %s: run scripts/test once to build it", bin)
		}
		data, err := os.MkdirTemp(filepath.Join(root, ".cache"), "local-kms-data-")
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(bin)
		// No seed file: tests create the keys they use.
		cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "KMS_DATA_PATH="+data,
			"KMS_SEED_PATH="+filepath.Join(data, "none.yaml"), "KMS_REGION="+region)
		return cmd, nil
	},
}

func init() { servers = append(servers, kmsServer) }

// KMSEndpoint returns local-kms's base URL, starting it if needed. Outside
// scripts/test, a machine where local-kms was never built skips the test
// and says how to get it; under scripts/test it is always there.
func KMSEndpoint(t testing.TB) string {
	t.Helper()
	if os.Getenv(KMSEndpointEnv) == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		if _, err := os.Stat(filepath.Join(root, kmsBinary)); err != nil {
			t.Skipf("local-kms is not available (no %s, no %s): run scripts/test, which builds and starts it", KMSEndpointEnv, kmsBinary)
		}
	}
	return kmsServer.endpoint(t)
}

// KMS returns a KMS client for local-kms.
func KMS(t testing.TB) *kms.Client {
	t.Helper()
	return kms.New(kms.Options{
		Region:           region,
		BaseEndpoint:     aws.String(KMSEndpoint(t)),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: retryMaxAttempts,
	})
}
