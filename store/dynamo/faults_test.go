package dynamo_test

import (
	"github.com/google/go-cmp/cmp"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo/dynamotest"
)

// faults sits between the SDK and DynamoDB Local and, for n calls of the
// target operation after the first `after`, either answers the
// TransactionCanceledException DynamoDB sends on a conflict (shape from the
// DynamoDB API reference), or applies the call and then loses the response
// behind a 500, as a network failure would.
type faults struct {
	mode   string // "conflict" or "lost"
	n      int    // how many calls to disturb
	after  int    // how many calls to let through first
	target string // operation to disturb; TransactWriteItems when empty

	mu     sync.Mutex
	seen   int
	tokens []string
}

func (f *faults) RoundTrip(req *http.Request) (*http.Response, error) {
	target := f.target
	if target == "" {
		target = "TransactWriteItems"
	}
	if !strings.HasSuffix(req.Header.Get("X-Amz-Target"), "."+target) {
		return http.DefaultTransport.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		TransactItems      []json.RawMessage
		ClientRequestToken string
	}
	json.Unmarshal(body, &in)
	f.mu.Lock()
	f.seen++
	disturb := f.seen > f.after && f.seen <= f.after+f.n
	f.tokens = append(f.tokens, in.ClientRequestToken)
	f.mu.Unlock()
	if !disturb {
		return http.DefaultTransport.RoundTrip(req)
	}
	switch f.mode {
	case "conflict":
		reasons := make([]map[string]string, len(in.TransactItems))
		for i := range reasons {
			reasons[i] = map[string]string{"Code": "None"}
		}
		reasons[0] = map[string]string{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
		return jsonResponse(req, 400, map[string]any{
			"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
			"Message":             "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]",
			"CancellationReasons": reasons,
		}), nil
	default: // lost
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return jsonResponse(req, 500, map[string]any{
			"__type":  "com.amazonaws.dynamodb.v20120810#InternalServerError",
			"message": "Internal server error",
		}), nil
	}
}

func jsonResponse(req *http.Request, status int, v any) *http.Response {
	b, _ := json.Marshal(v)
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": []string{"application/x-amz-json-1.0"}},
		Body:       io.NopCloser(bytes.NewReader(b)),
		Request:    req,
	}
}

func faultyStore(t *testing.T, f *faults) *dynamo.Store {
	t.Helper()
	table := dynamotest.NewTable(t, testenv.DynamoDB(t))
	s, err := dynamo.New(testenv.DynamoDBWith(t, &http.Client{Transport: f}), table)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testChallenge(t *testing.T) otp.Challenge {
	t.Helper()
	id, _ := otp.NewID(nil)
	now := time.Now().UTC().Truncate(time.Millisecond)
	return otp.Challenge{ID: id, Phone: "+14155550123", ClientID: "c1", KeyID: "0123456789ab",
		MAC: []byte("mac"), Locale: "en", CreatedAt: now, ExpiresAt: now.Add(3 * time.Minute), MaxAttempts: 3}
}

func TestPutChallengeRetriesAConflictOnce(t *testing.T) {
	f := &faults{mode: "conflict", n: 1}
	s := faultyStore(t, f)
	c := testChallenge(t)
	ctrs := otp.Counters([]otp.Cap{{Scope: otp.ScopePhone, Window: time.Hour, Max: 5}}, c.Phone, "US", c.CreatedAt, nil)
	if err := s.PutChallenge(context.Background(), c, ctrs, otp.PointerClaim{}); err != nil {
		t.Fatalf("PutChallenge after one conflict: %v", err)
	}
	if len(f.tokens) != 2 || f.tokens[0] == f.tokens[1] || f.tokens[0] == "" {
		t.Errorf("request tokens %q: want two different ones (a new try is a new request)", f.tokens)
	}
	if _, err := s.GetChallenge(context.Background(), c.ID); err != nil {
		t.Errorf("challenge not stored: %v", err)
	}
}

func TestPutChallengeGivesUpAfterTwoConflicts(t *testing.T) {
	s := faultyStore(t, &faults{mode: "conflict", n: 2})
	c := testChallenge(t)
	err := s.PutChallenge(context.Background(), c, nil, otp.PointerClaim{})
	if err == nil || errors.Is(err, otp.ErrExists) || errors.Is(err, otp.ErrPointerTaken) {
		t.Errorf("PutChallenge after two conflicts = %v, want a plain failure", err)
	}
}

// The SDK retries a call whose response was lost; the same request token
// makes DynamoDB apply it once and report success, not ErrExists.
func TestPutChallengeLostResponseIsIdempotent(t *testing.T) {
	f := &faults{mode: "lost", n: 1}
	s := faultyStore(t, f)
	c := testChallenge(t)
	ctrs := otp.Counters([]otp.Cap{{Scope: otp.ScopePhone, Window: time.Hour, Max: 1}}, c.Phone, "US", c.CreatedAt, nil)
	if err := s.PutChallenge(context.Background(), c, ctrs, otp.PointerClaim{}); err != nil {
		t.Fatalf("PutChallenge whose first response was lost: %v", err)
	}
	if len(f.tokens) != 2 || f.tokens[0] != f.tokens[1] {
		t.Errorf("request tokens %q: the SDK's retry must repeat the token", f.tokens)
	}
	// Applied once: the counter (max 1) is full, not over-full or refused.
	other := testChallenge(t)
	other.Phone = c.Phone
	var le *otp.LimitError
	if err := s.PutChallenge(context.Background(), other, ctrs, otp.PointerClaim{StaleBefore: time.Now().Add(time.Hour)}); !errors.As(err, &le) {
		t.Errorf("second code = %v, want the cap reached after exactly one", err)
	}
}

// A Consume whose write was applied but whose response was lost is retried
// by the SDK, fails its condition on our own write, and must still report
// success: the right answer must not turn into a wrong one.
func TestConsumeLostResponseStillWins(t *testing.T) {
	f := &faults{mode: "lost", n: 1, target: "UpdateItem"}
	s := faultyStore(t, f)
	c := testChallenge(t)
	if err := s.PutChallenge(context.Background(), c, nil, otp.PointerClaim{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Consume(context.Background(), c.ID, "verify-1"); err != nil {
		t.Fatalf("Consume whose first response was lost: %v", err)
	}
	if f.seen != 2 {
		t.Errorf("UpdateItem sent %d times, want 2 (the SDK's retry)", f.seen)
	}
	if err := s.Consume(context.Background(), c.ID, "verify-2"); !errors.Is(err, otp.ErrAlreadyConsumed) {
		t.Errorf("a rival's Consume = %v, want ErrAlreadyConsumed", err)
	}
}

// A Claim whose response was lost is refused by its own write on the SDK's
// retry: the worker is told the claim is taken and the message waits for
// the claim to go stale. A late SMS, never a second one.
func TestClaimLostResponseErsOnNotSending(t *testing.T) {
	f := &faults{mode: "lost", n: 1, target: "UpdateItem"}
	s := faultyStore(t, f)
	c := testChallenge(t)
	if err := s.PutChallenge(context.Background(), c, nil, otp.PointerClaim{}); err != nil {
		t.Fatal(err)
	}
	now := c.CreatedAt.Add(time.Second)
	if _, err := s.Claim(context.Background(), c.ID, c.Phone, now, now.Add(-time.Minute)); !errors.Is(err, otp.ErrClaimTaken) {
		t.Fatalf("Claim whose first response was lost = %v, want ErrClaimTaken", err)
	}
	if f.seen != 2 {
		t.Errorf("UpdateItem sent %d times, want 2 (the SDK's retry)", f.seen)
	}
	got, err := s.GetChallenge(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Delivery; d.State != otp.DeliverySending || !d.At.Equal(now) || d.Attempts != 1 {
		t.Errorf("delivery = %+v, want sending at %v after 1 attempt (applied once)", d, now)
	}
	later := now.Add(time.Minute)
	if _, err := s.Claim(context.Background(), c.ID, c.Phone, later, now.Add(time.Millisecond)); err != nil {
		t.Errorf("Claim once stale: %v", err)
	}
}

// A Record whose response was lost fails its condition on our own write when
// the SDK retries it, and must still report success, with the attempt
// uncounted once.
func TestRecordLostResponseStillSucceeds(t *testing.T) {
	f := &faults{mode: "lost", n: 1, after: 1, target: "UpdateItem"}
	s := faultyStore(t, f)
	c := testChallenge(t)
	if err := s.PutChallenge(context.Background(), c, nil, otp.PointerClaim{}); err != nil {
		t.Fatal(err)
	}
	now := c.CreatedAt.Add(time.Second)
	if _, err := s.Claim(context.Background(), c.ID, c.Phone, now, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(context.Background(), c.ID, now, otp.Outcome{State: otp.DeliveryFailedRetryable, Provider: "twilio", Uncount: true}); err != nil {
		t.Fatalf("Record whose first response was lost: %v", err)
	}
	if f.seen != 3 {
		t.Errorf("UpdateItem sent %d times, want 3 (claim, record, the SDK's retry)", f.seen)
	}
	got, err := s.GetChallenge(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := otp.Delivery{State: otp.DeliveryFailedRetryable, At: now, Attempts: 0, Provider: "twilio"}
	if !cmp.Equal(got.Delivery, want) {
		t.Errorf("delivery = %+v, want %+v", got.Delivery, want)
	}
}

// A CountAttempt whose response was lost is retried by the SDK and fails its
// condition on our own write: the answer counts once and is judged, where
// it used to count twice (and a right answer after two wrong ones was
// refused as over the cap; found by faults.TestVerifyUnderFaults).
func TestCountAttemptLostResponseCountsOnce(t *testing.T) {
	f := &faults{mode: "lost", n: 1, target: "UpdateItem"}
	s := faultyStore(t, f)
	c := testChallenge(t)
	if err := s.PutChallenge(context.Background(), c, nil, otp.PointerClaim{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CountAttempt(context.Background(), c.ID, c.CreatedAt.Add(time.Second))
	if err != nil {
		t.Fatalf("CountAttempt whose first response was lost: %v", err)
	}
	if f.seen != 2 {
		t.Errorf("UpdateItem sent %d times, want 2 (the SDK's retry)", f.seen)
	}
	if got.Attempts != 1 {
		t.Errorf("attempts = %d after one answer, want 1", got.Attempts)
	}
	if stored, _ := s.GetChallenge(context.Background(), c.ID); stored.Attempts != 1 {
		t.Errorf("stored attempts = %d, want 1", stored.Attempts)
	}
	// Two more answers reach the cap of 3; a fourth is refused.
	for range 2 {
		if _, err := s.CountAttempt(context.Background(), c.ID, c.CreatedAt.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CountAttempt(context.Background(), c.ID, c.CreatedAt.Add(time.Second)); !errors.Is(err, otp.ErrNotAnswerable) {
		t.Errorf("4th answer = %v, want ErrNotAnswerable", err)
	}
}

// scripted disturbs requests by their order: "lost" applies the request
// and answers 500, "cut" applies it and cuts its answer in half (the SDK
// does not retry that), "fail" answers 500 without applying it, "" passes
// it.
type scripted struct {
	mu    sync.Mutex
	steps []string
	n     int
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	step := ""
	if s.n < len(s.steps) {
		step = s.steps[s.n]
	}
	s.n++
	s.mu.Unlock()
	if step == "fail" {
		return jsonResponse(req, 500, map[string]any{"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "Internal server error"}), nil
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || step == "" {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if step == "cut" {
		resp.Body = io.NopCloser(bytes.NewReader(body[:len(body)/2]))
		return resp, nil
	}
	return jsonResponse(req, 500, map[string]any{"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "Internal server error"}), nil
}

// next scripts the requests from now on.
func (s *scripted) next(steps ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps = append(make([]string, s.n), steps...)
}

// scriptedStore is a store through a scripted transport, holding one
// stored challenge.
func scriptedStore(t *testing.T) (*dynamo.Store, *scripted, otp.Challenge) {
	t.Helper()
	script := &scripted{}
	table := dynamotest.NewTable(t, testenv.DynamoDB(t))
	s, err := dynamo.New(testenv.DynamoDBWith(t, &http.Client{Transport: script}), table)
	if err != nil {
		t.Fatal(err)
	}
	c := testChallenge(t)
	if err := s.PutChallenge(context.Background(), c, nil, otp.PointerClaim{}); err != nil {
		t.Fatal(err)
	}
	return s, script, c
}

// When the write was refused on the SDK's retry and the read that would
// tell whose write it was fails too, CountAttempt and Consume report an
// error (Verify: OTP_UNAVAILABLE), never "not answerable" or "already
// consumed", which would tell a right answer it was wrong.
func TestRefusalOfUnknownCauseIsAnError(t *testing.T) {
	for _, op := range []string{"CountAttempt", "Consume"} {
		t.Run(op, func(t *testing.T) {
			s, script, c := scriptedStore(t)
			// The write is applied but its answer lost, the SDK's retry is
			// refused by it, and both tries of the read fail.
			script.next("lost", "", "fail", "fail")
			var err error
			if op == "CountAttempt" {
				_, err = s.CountAttempt(context.Background(), c.ID, c.CreatedAt.Add(time.Second))
			} else {
				err = s.Consume(context.Background(), c.ID, "verify-1")
			}
			if err == nil || errors.Is(err, otp.ErrNotAnswerable) || errors.Is(err, otp.ErrAlreadyConsumed) {
				t.Errorf("%s = %v, want an error of unknown cause", op, err)
			}
		})
	}
}

// A count or consume applied but whose answer was cut short is found by one
// read: the answer is judged, and a right one wins (it used to come back
// OTP_UNAVAILABLE, and the retried answer was refused as consumed).
func TestAnswerCutShortIsFound(t *testing.T) {
	s, script, c := scriptedStore(t)
	script.next("cut", "", "cut")
	got, err := s.CountAttempt(context.Background(), c.ID, c.CreatedAt.Add(time.Second))
	if err != nil || got.Attempts != 1 {
		t.Fatalf("CountAttempt cut short = %d attempts, %v; want 1, nil", got.Attempts, err)
	}
	if err := s.Consume(context.Background(), c.ID, "verify-1"); err != nil {
		t.Fatalf("Consume cut short: %v", err)
	}
}

// A resend claim whose response was lost is found to be our own on the
// SDK's retry (its token), so the check goes on to resend instead of being
// dropped as a rival's and leaving the challenge "sending" for good.
func TestClaimResendLostResponseIsOurs(t *testing.T) {
	f := &faults{mode: "lost", n: 1, after: 2, target: "UpdateItem"}
	s := faultyStore(t, f)
	ctx := context.Background()
	c := testChallenge(t)
	if err := s.PutChallenge(ctx, c, nil, otp.PointerClaim{}); err != nil {
		t.Fatal(err)
	}
	now := c.CreatedAt.Add(time.Second)
	if _, err := s.Claim(ctx, c.ID, c.Phone, now, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, c.ID, now, otp.Sent("twilio", "SM1")); err != nil {
		t.Fatal(err)
	}
	later := now.Add(20 * time.Second)
	got, err := s.ClaimResend(ctx, c.ID, c.Phone, "twilio", "SM1", later, 2)
	if err != nil {
		t.Fatalf("ClaimResend whose first response was lost = %v, want our claim", err)
	}
	if f.seen != 4 {
		t.Errorf("UpdateItem sent %d times, want 4 (claim, record, resend claim and the SDK's retry)", f.seen)
	}
	if d := got.Delivery; d.State != otp.DeliverySending || !d.At.Equal(later) || d.Attempts != 2 {
		t.Errorf("delivery = %+v, want sending at %v after 2 attempts (applied once)", d, later)
	}
}
