package signin

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// signin accepts and refuses the pool ids of the shared fixture, as the
// local stack does (localstack's TestPoolIDsAsTheSignInClient).
func TestPoolIDsAsTheStack(t *testing.T) {
	b, err := os.ReadFile("../../internal/cognitowire/testdata/pool_ids.json")
	if err != nil {
		t.Fatal(err)
	}
	var ids map[string][]string
	if err := json.Unmarshal(b, &ids); err != nil {
		t.Fatal(err)
	}
	for want, list := range map[bool][]string{true: ids["accept"], false: ids["refuse"]} {
		for _, id := range list {
			err := options{clientID: "c", region: "us-east-1", poolID: id}.check()
			if got := err == nil || !strings.Contains(err.Error(), "--pool-id"); got != want {
				t.Errorf("--pool-id %q accepted = %v, want %v (%v)", id, got, want, err)
			}
		}
	}
}
