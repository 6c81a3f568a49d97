package triggers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

// roomyCaps lifts the send caps so benchmarks measure the work, not refusals.
func roomyCaps(c *triggers.Config) {
	for i := range c.Policy.Caps {
		c.Policy.Caps[i].Max = 1 << 30
	}
}

// phoneFor returns a distinct valid US number for i.
func phoneFor(i int) string { return fmt.Sprintf("+1415%07d", 2000000+i%8000000) }

// TestRequestsPerSignIn pins the AWS requests each step makes, counted at
// the HTTP layer against DynamoDB Local and fauxqs.
func TestRequestsPerSignIn(t *testing.T) {
	ddb, sq := &testenv.CountingTransport{}, &testenv.CountingTransport{}
	h := newAWSHarnessCounting(t, ddb, sq)
	step := func(name string, wantDDB, wantSQS int64, fn func()) {
		t.Helper()
		ddb.Reset()
		sq.Reset()
		fn()
		if ddb.Count() != wantDDB || sq.Count() != wantSQS {
			t.Errorf("%s: %d DynamoDB + %d SQS requests, want %d + %d", name, ddb.Count(), sq.Count(), wantDDB, wantSQS)
		}
	}
	var id, code string
	// GetPointer, TransactWriteItems (caps, challenge, pointer), SendMessage.
	step("Create, new code", 2, 1, func() { id, code = h.newCode() })
	// GetPointer, GetChallenge: no write, no SMS.
	step("Create, reuse within cooldown", 2, 0, func() { h.createOK("first-round.json") })
	// An unregistered number's decoy makes the same requests (finding 3):
	// the same transaction, and a message the worker will not send.
	var decoy string
	step("Create decoy, new code", 2, 1, func() { decoy = challengeID(t, h.createOK("unknown-user.json")) })
	step("Create decoy, reuse within cooldown", 2, 0, func() { h.createOK("unknown-user.json") })
	step("Verify decoy, wrong", 1, 0, func() { h.answer(decoy, wrongCode(code)) })
	// One conditional UpdateItem counts the attempt.
	step("Verify, wrong", 1, 0, func() { h.answer(id, wrongCode(code)) })
	// Count the attempt, then consume.
	step("Verify, right", 2, 0, func() { h.answer(id, code) })
}

func benchmarkCreate(b *testing.B, h *harness) {
	ev := createEventFixture(b, "first-round.json")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ev.Request.UserAttributes = map[string]string{"phone_number": phoneFor(i)}
		if _, err := h.create.Handle(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkVerify(b *testing.B, h *harness, right bool) {
	ctx := context.Background()
	// A wrong answer can be given MaxAttempts times per challenge, a right
	// one once: issue challenges in batches, outside the timer.
	uses := h.cfg.Policy.MaxAttempts
	if right {
		uses = 1
	}
	type issued struct{ id, code string }
	var codes []issued
	ev := createEventFixture(b, "first-round.json")
	tmpl := verifyEventFor(b, "", "")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i >= len(codes) {
			b.StopTimer()
			for j := range 64 {
				ev.Request.UserAttributes = map[string]string{"phone_number": phoneFor(5000000 + i + j)}
				if _, err := h.create.Handle(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
			for _, m := range h.inbox() {
				for range uses {
					codes = append(codes, issued{m.ChallengeID, h.code(m)})
				}
			}
			b.StartTimer()
		}
		answer := codes[i].code
		if !right {
			answer = wrongCode(answer)
		}
		v := tmpl
		v.Request.PrivateChallengeParameters = map[string]string{"challengeId": codes[i].id}
		v.Request.ChallengeAnswer = answer
		out, err := h.verify.Handle(ctx, v)
		if err != nil || out.Response.AnswerCorrect != right {
			b.Fatalf("Verify %d: %v, correct=%v, logs: %s", i, err, out.Response.AnswerCorrect, tail(h.logs.String()))
		}
	}
}

// reportRequests adds requests per operation to the benchmark's output.
func reportRequests(b *testing.B, ddb, sq *testenv.CountingTransport, before func()) {
	ddb.Reset()
	sq.Reset()
	before()
	b.ReportMetric(float64(ddb.Count())/float64(b.N), "ddb-req/op")
	b.ReportMetric(float64(sq.Count())/float64(b.N), "sqs-req/op")
}

func BenchmarkCreate(b *testing.B) {
	b.Run("mem", func(b *testing.B) { benchmarkCreate(b, newHarness(b, roomyCaps)) })
	b.Run("dynamodb+sqs", func(b *testing.B) {
		ddb, sq := &testenv.CountingTransport{}, &testenv.CountingTransport{}
		h := newAWSHarnessCounting(b, ddb, sq, roomyCaps)
		reportRequests(b, ddb, sq, func() { benchmarkCreate(b, h) })
	})
}

// BenchmarkCreateKnownAndDecoy compares a registered number's new code with
// an unregistered number's decoy: the figures should match (finding 3).
func BenchmarkCreateKnownAndDecoy(b *testing.B) {
	for _, known := range []bool{true, false} {
		name := map[bool]string{true: "known", false: "decoy"}[known]
		b.Run("mem/"+name, func(b *testing.B) { benchmarkCreateAs(b, newHarness(b, roomyCaps), known) })
		b.Run("dynamodb+sqs/"+name, func(b *testing.B) {
			ddb, sq := &testenv.CountingTransport{}, &testenv.CountingTransport{}
			h := newAWSHarnessCounting(b, ddb, sq, roomyCaps)
			reportRequests(b, ddb, sq, func() { benchmarkCreateAs(b, h, known) })
		})
	}
}

func benchmarkCreateAs(b *testing.B, h *harness, known bool) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ev := createEventFor(h, phoneFor(i), known)
		h.inbox()
		b.StartTimer()
		if _, err := h.create.Handle(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, right := range []bool{false, true} {
		name := map[bool]string{false: "wrong", true: "right"}[right]
		b.Run("mem/"+name, func(b *testing.B) { benchmarkVerify(b, newHarness(b, roomyCaps), right) })
		// Requests per Verify are pinned by TestRequestsPerSignIn; here the
		// setup's Creates would muddle a count.
		b.Run("dynamodb/"+name, func(b *testing.B) { benchmarkVerify(b, newAWSHarness(b, roomyCaps), right) })
	}
}

func tail(s string) string { return s[max(0, len(s)-600):] }
