package triggers_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool/verified"
)

// Fuzz targets: every trigger's event decoding and handling over the
// in-memory store, with the invariants of a sign-in rather than "no panic".
// Seeds are the fixtures; scripts/fuzz runs them.

// addSeeds adds every fixture of testdata/dir as a seed.
func addSeeds(f *testing.F, dir string) {
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in testdata/%s (%v)", dir, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// noLeak fails if s holds a full number or, when given, the code.
func noLeak(t *testing.T, what, s, code string) {
	t.Helper()
	if m := fullNumber.FindString(s); m != "" {
		t.Errorf("%s holds a full number %s: %s", what, m, s)
	}
	if testutil.HoldsCode(s, code) {
		t.Errorf("%s holds the code %s: %s", what, code, s)
	}
}

func FuzzCreate(f *testing.F) {
	addSeeds(f, "create")
	f.Fuzz(func(t *testing.T, payload []byte) {
		h := newHarness(t)
		ev, err := invoke(t, h.create.Handle, payload)
		msgs := h.inbox()
		if err != nil {
			// A refused input sends nothing, and says nothing of the number.
			if len(msgs) != 0 {
				t.Fatalf("refused (%v) but %d messages enqueued", err, len(msgs))
			}
			noLeak(t, "error", err.Error(), "")
			return
		}
		if len(msgs) > 1 {
			t.Fatalf("one event enqueued %d messages", len(msgs))
		}
		code := ""
		if len(msgs) == 1 {
			code = h.code(msgs[0])
		}
		resp, _ := json.Marshal(ev.Response)
		noLeak(t, "response", string(resp), code)
		if code != "" {
			noLeak(t, "logs", h.logs.String(), code)
		}
	})
}

func FuzzVerify(f *testing.F) {
	// @@ID@@ and @@CODE@@ become a live challenge's id and code, so the
	// fuzzer works near the one input that may succeed.
	addSeeds(f, "verify")
	answer := fixture(f, "verify/answer.json")
	f.Add(bytes.ReplaceAll(bytes.ReplaceAll(answer, []byte("0123456789abcdef0123456789abcdef"), []byte("@@ID@@")), []byte(`"ANSWER"`), []byte(`"@@CODE@@"`)))
	f.Add(bytes.ReplaceAll(bytes.ReplaceAll(answer, []byte("0123456789abcdef0123456789abcdef"), []byte("@@ID@@")), []byte(`"ANSWER"`), []byte(`" @@CODE@@ "`)))
	f.Add(bytes.ReplaceAll(answer, []byte("0123456789abcdef0123456789abcdef"), []byte("@@ID@@")))
	f.Fuzz(func(t *testing.T, payload []byte) {
		h := newHarness(t)
		id, code := h.newCode()
		payload = bytes.ReplaceAll(bytes.ReplaceAll(payload, []byte("@@ID@@"), []byte(id)), []byte("@@CODE@@"), []byte(code))
		ev, err := invoke(t, h.verify.Handle, payload)
		if err != nil {
			noLeak(t, "error", err.Error(), code)
			noLeak(t, "logs", h.logs.String(), code)
			return
		}
		noLeak(t, "logs", h.logs.String(), code)
		if !ev.Response.AnswerCorrect {
			return
		}
		// A right answer is the live code, for the live challenge, of a
		// known user; and it is judged once.
		ans, _ := ev.Request.ChallengeAnswer.(string)
		ans = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, ans)
		if ans != code || ev.Request.PrivateChallengeParameters["challengeId"] != id || ev.Request.UserNotFound {
			t.Fatalf("answer %q for %q (userNotFound %v) judged right; live code %s for %s",
				ev.Request.ChallengeAnswer, ev.Request.PrivateChallengeParameters["challengeId"], ev.Request.UserNotFound, code, id)
		}
		again, err := invoke(t, h.verify.Handle, payload)
		if err == nil && again.Response.AnswerCorrect {
			t.Fatal("the same right answer was accepted twice")
		}
	})
}

func FuzzDefine(f *testing.F) {
	addSeeds(f, "define")
	f.Fuzz(func(t *testing.T, payload []byte) {
		h := newHarness(t)
		ev, err := invoke(t, h.define.Handle, payload)
		if err != nil {
			noLeak(t, "error", err.Error(), "")
			return
		}
		r := ev.Response
		n := 0
		for _, set := range []bool{r.IssueTokens, r.FailAuthentication, r.ChallengeName != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("response %+v: want exactly one of tokens, failure, challenge", r)
		}
		if !r.IssueTokens {
			return
		}
		// Tokens only after our own challenge was answered right, last, by a
		// known user with a number.
		s := ev.Request.Session
		if ev.Request.UserNotFound || ev.Request.UserAttributes["phone_number"] == "" || len(s) == 0 {
			t.Fatalf("tokens for %+v", ev.Request)
		}
		for _, c := range s {
			if c == nil || c.ChallengeName != "CUSTOM_CHALLENGE" {
				t.Fatalf("tokens after a foreign round %+v", c)
			}
		}
		if !s[len(s)-1].ChallengeResult {
			t.Fatal("tokens after a wrong last answer")
		}
	})
}

func FuzzPreSignUp(f *testing.F) {
	addSeeds(f, "presignup")
	f.Fuzz(func(t *testing.T, payload []byte) {
		logs := &syncBuffer{}
		h := presignup.New(phone.Policy{AllowedCountries: []string{"US", "GB", "FR"}},
			triggers.Env{Log: slog.New(slog.NewJSONHandler(logs, nil))})
		ev, err := invoke(t, h.Handle, payload)
		noLeak(t, "logs", logs.String(), "")
		if err != nil {
			// The one number a refusal may name is the canonical spelling
			// of the caller's own number (OTP_NUMBER_NOT_CANONICAL).
			if !strings.HasPrefix(err.Error(), "OTP_NUMBER_NOT_CANONICAL canonical=+") {
				noLeak(t, "error", err.Error(), "")
			}
			return
		}
		if ev.Response.AutoVerifyPhone {
			t.Error("a phone number was verified at sign-up")
		}
	})
}

func FuzzPostAuthentication(f *testing.F) {
	addSeeds(f, "postauth")
	srv := fakecognito.New(f)
	srv.AddPool(fakecognito.Pool{ID: poolID, Users: []fakecognito.User{{Username: username, Status: "CONFIRMED",
		Attributes: map[string]string{"phone_number": userPhone, "phone_number_verified": "false"}}}})
	f.Fuzz(func(t *testing.T, payload []byte) {
		// No code was ever answered, so nothing may mark a number verified.
		h := newHarness(t)
		pa, err := triggers.NewPostAuthentication(verified.New(awsjson.New(srv.AWSConfig(), awsjson.CognitoIdentityProvider)), h.store, 0,
			triggers.Env{Now: h.clock.Now, Log: slog.New(slog.NewJSONHandler(h.logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		before := len(srv.CallsTo("AdminUpdateUserAttributes"))
		_, err = invoke(t, pa.Handle, payload)
		if err != nil {
			noLeak(t, "error", err.Error(), "")
		}
		if n := len(srv.CallsTo("AdminUpdateUserAttributes")); n != before {
			t.Fatalf("a number was marked verified without an answered code (%d calls)", n-before)
		}
	})
}
