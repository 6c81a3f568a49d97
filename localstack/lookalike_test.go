package localstack_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
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

// Finding 1 of the adversarial run: InitiateAuth with a number, then again
// with the USERNAME the first answer returned. A registered number's is its
// user's username and got a challenge; an unregistered number's made-up one
// was refused (OTP_NUMBER_NOT_ALLOWED), 50 out of 50 each way. Now both get
// the same challenge, no one gets an extra SMS, and the refusals match.
func TestSecondSignInWithTheReturnedUsername(t *testing.T) {
	l := start(t, backends[0], map[string]string{"OTP_CAP_PHONE_15M": "2"})
	// Both views (about 200 s of the stack's clock) must fall in one fixed
	// 15-minute cap window, or one number's counter starts afresh mid-view.
	now := l.clock.Now()
	l.clock.Advance(now.Truncate(15 * time.Minute).Add(15*time.Minute + time.Second).Sub(now))
	known, unknown := number(t), number(t)
	l.signUp(t, known)
	view := func(phone string) []string {
		first := l.mustInitiate(t, phone)
		l.clock.Advance(5 * time.Second)
		var out []string
		for i := range 3 {
			res, err := l.initiate(first.username)
			switch {
			case err != nil:
				out = append(out, fmt.Sprintf("round %d: %v", i, errorCode(err)))
			default:
				p := res.ChallengeParameters
				out = append(out, fmt.Sprintf("round %d: %s username same=%v masked same=%v expiresIn=%s resendAfter=%s",
					i, res.ChallengeName, p["USERNAME"] == first.username, p["maskedPhone"] == first.params["maskedPhone"],
					p["expiresIn"], p["resendAfter"]))
			}
			l.clock.Advance(31 * time.Second) // past the cooldown: a new code each round, until the cap
		}
		return out
	}
	k, u := view(known), view(unknown)
	if diff := cmp.Diff(k, u); diff != "" {
		t.Errorf("second sign-ins differ (-registered +unregistered):\n%s", diff)
	}
	t.Logf("registered: %q", k)
	l.quiet(t, known, 2) // the first code, and one more before the 15-minute cap of 2
	l.quiet(t, unknown, 0)
}

// errorCode is what a client can branch on: the error type and, for a
// trigger's refusal, its code.
func errorCode(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	code, _, _ := strings.Cut(strings.TrimPrefix(ae.ErrorMessage(), "CreateAuthChallenge failed with error "), " retryAfter")
	return ae.ErrorCode() + " " + code
}
