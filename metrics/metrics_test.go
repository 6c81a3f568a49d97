package metrics_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
)

func TestEMFLine(t *testing.T) {
	var buf bytes.Buffer
	at := time.UnixMilli(1764072000000)
	e := metrics.NewEMF(&buf, func() time.Time { return at })
	e.Value("SendLatency", 12.5, metrics.Milliseconds, metrics.Dim{Name: "Provider", Value: "sns"})
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, buf.String())
	}
	want := map[string]any{
		"SendLatency": 12.5,
		"Provider":    "sns",
		"_aws": map[string]any{
			"Timestamp": float64(1764072000000),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  "CognitoPhoneOTP",
				"Dimensions": []any{[]any{"Provider"}, []any{}},
				"Metrics":    []any{map[string]any{"Name": "SendLatency", "Unit": "Milliseconds"}},
			}},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("EMF line (-want +got):\n%s", d)
	}
	buf.Reset()
	e.Count("Sent")
	if !bytes.Contains(buf.Bytes(), []byte(`"Sent":1`)) || !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		t.Errorf("Count line: %s", buf.String())
	}
}

// An empty dimension value is written as "unknown": CloudWatch would drop
// every dimension of the line otherwise.
func TestEMFEmptyDimension(t *testing.T) {
	var buf bytes.Buffer
	metrics.NewEMF(&buf, nil).Count("Processed", metrics.Dim{Name: "Outcome", Value: "malformed"}, metrics.Dim{Name: "Country", Value: ""})
	if !bytes.Contains(buf.Bytes(), []byte(`"Country":"unknown"`)) || !bytes.Contains(buf.Bytes(), []byte(`"Outcome":"malformed"`)) {
		t.Errorf("line %s", buf.String())
	}
}
