// Package poolidtest holds the user pool ids every command that takes one
// must accept or refuse alike (pool_ids.json), and the check that runs them.
package poolidtest

import (
	_ "embed"
	"encoding/json"
	"testing"
)

//go:embed pool_ids.json
var fixture []byte

// Check asks accepts about every id of the fixture and fails t where it
// accepts one it must refuse or refuses one it must accept. The fixture
// holds no empty id: the commands read "" as "not given".
func Check(t *testing.T, accepts func(id string) bool) {
	t.Helper()
	var ids struct {
		Accept []string `json:"accept"`
		Refuse []string `json:"refuse"`
	}
	if err := json.Unmarshal(fixture, &ids); err != nil {
		t.Fatalf("pool_ids.json: %v", err)
	}
	for want, list := range map[bool][]string{true: ids.Accept, false: ids.Refuse} {
		for _, id := range list {
			if got := accepts(id); got != want {
				t.Errorf("pool id %q accepted = %v, want %v", id, got, want)
			}
		}
	}
}
