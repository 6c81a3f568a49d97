package localstack

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// otp-local accepts and refuses the pool ids of the shared fixture, as its
// sign-in client does (localstack/signin's TestPoolIDsAsTheStack).
func TestPoolIDsAsTheSignInClient(t *testing.T) {
	b, err := os.ReadFile("../internal/cognitowire/testdata/pool_ids.json")
	if err != nil {
		t.Fatal(err)
	}
	var ids map[string][]string
	if err := json.Unmarshal(b, &ids); err != nil {
		t.Fatal(err)
	}
	for want, list := range map[bool][]string{true: ids["accept"], false: ids["refuse"]} {
		for _, id := range list {
			o := Options{PoolID: id, Outbox: "-"}
			err := o.withDefaults()
			if got := err == nil || !strings.Contains(err.Error(), "--pool-id"); got != want {
				t.Errorf("--pool-id %q accepted = %v, want %v (%v)", id, got, want, err)
			}
		}
	}
}
