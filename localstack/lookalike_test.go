package localstack_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// PreventUserExistenceErrors holds across sign-ins: a second InitiateAuth
// for an unknown number looks like one for a registered number, USERNAME,
// expiry and resend wait included.
func TestUnknownAndKnownLookAlikeTwice(t *testing.T) {
	l := start(t, backends[0], nil)
	known, unknown := number(t), number(t)
	l.signUp(t, known)
	view := func(phone string) []map[string]string {
		var out []map[string]string
		for range 2 {
			c := l.mustInitiate(t, phone)
			p := map[string]string{}
			for k, v := range c.params {
				p[k] = v
			}
			p["USERNAME same as before"] = "n/a"
			if len(out) > 0 {
				p["USERNAME same as before"] = boolString(c.username == out[0]["USERNAME"])
			}
			p["maskedPhone"] = "masked"
			out = append(out, p)
			l.clock.Advance(5 * time.Second)
		}
		for _, p := range out {
			delete(p, "USERNAME")
		}
		return out
	}
	if diff := cmp.Diff(view(known), view(unknown)); diff != "" {
		t.Errorf("a known and an unknown number differ (-known +unknown):\n%s", diff)
	}
}

func boolString(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
