package worker_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// FuzzProcess feeds the worker arbitrary queue bodies over the in-memory
// store. Each run has one live challenge; the placeholders below become its
// message's fields, so the fuzzer works near the one body that may send.
// Invariants: at most one SMS, only for the live message unaltered, to its
// number, and never a code or a full number in the logs.
func FuzzProcess(f *testing.F) {
	placeholders := func(m schema.Message) []string {
		return []string{"@@MESSAGE@@", m.MessageID, "@@CHALLENGE@@", m.ChallengeID, "@@TO@@", m.To,
			"@@KEY@@", m.KeyID, "@@SEALED@@", m.SealedCode}
	}
	seed := newHarness(f, worker.DefaultConfig(), &fakeProvider{name: "fake"})
	body, m, _ := seed.message()
	pairs := placeholders(m)
	tmpl := string(body)
	for i := 0; i < len(pairs); i += 2 {
		tmpl = strings.ReplaceAll(tmpl, pairs[i+1], pairs[i])
	}
	f.Add([]byte(tmpl))
	f.Add([]byte(strings.Replace(tmpl, `"version":1`, `"version":2`, 1)))
	f.Add([]byte("{"))
	paths, _ := filepath.Glob("../schema/testdata/messages/*.json")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p := &fakeProvider{name: "fake"}
		h := newHarness(t, worker.DefaultConfig(), p)
		_, live, code := h.message()
		pairs := placeholders(live)
		for i := 0; i < len(pairs); i += 2 {
			in = bytes.ReplaceAll(in, []byte(pairs[i]), []byte(pairs[i+1]))
		}
		o := h.process(in)
		again := h.process(in)
		if testutil.HoldsCode(h.logs.String(), code) {
			t.Errorf("logs contain the code %s", code)
		}
		sent := p.Sent()
		if len(sent) == 0 {
			return
		}
		if len(sent) > 1 {
			t.Fatalf("%d SMS for one body (outcomes %+v, %+v)", len(sent), o, again)
		}
		got, err := schema.DecodeMessage(in)
		if err != nil || got.ChallengeID != live.ChallengeID || got.To != live.To || got.SealedCode != live.SealedCode ||
			got.KeyID != live.KeyID || got.MessageID != live.MessageID {
			t.Fatalf("sent %+v for a body that is not the live message (%v): %s", sent[0], err, in)
		}
		if sent[0].To != live.To || !strings.Contains(sent[0].Body, code) {
			t.Fatalf("sent %+v, want the code to %s", sent[0], live.To)
		}
		if o.Action != worker.Delete || o.Reason != worker.ReasonSent {
			t.Errorf("sent, but outcome %+v", o)
		}
	})
}
