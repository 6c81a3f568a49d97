package cognitowire

import (
	"encoding/json"
	"os"
	"testing"
)

// PoolIDCases are the ids of testdata/pool_ids.json. The local stack's and
// the sign-in client's tests run the same file, so both accept and refuse
// the same ids.
type poolIDCases struct {
	Accept []string `json:"accept"`
	Refuse []string `json:"refuse"`
}

func TestValidPoolID(t *testing.T) {
	b, err := os.ReadFile("testdata/pool_ids.json")
	if err != nil {
		t.Fatal(err)
	}
	var c poolIDCases
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, id := range c.Accept {
		if !ValidPoolID(id) {
			t.Errorf("ValidPoolID(%q) = false, want true", id)
		}
	}
	for _, id := range append(c.Refuse, "") {
		if ValidPoolID(id) {
			t.Errorf("ValidPoolID(%q) = true, want false", id)
		}
	}
}
