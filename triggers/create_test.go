package triggers_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
)

type createEvent = events.CognitoEventUserPoolsCreateAuthChallenge

// createOK runs Create on a fixture and fails the test on an error.
func (h *harness) createOK(name string) createEvent {
	h.t.Helper()
	ev, err := invoke(h.t, h.create.Handle, fixture(h.t, "create/"+name))
	if err != nil {
		h.t.Fatalf("Create(%s): %v", name, err)
	}
	return ev
}

// createRefused runs Create and returns the refusal text.
func (h *harness) createRefused(name string) string {
	h.t.Helper()
	_, err := invoke(h.t, h.create.Handle, fixture(h.t, "create/"+name))
	if err == nil {
		h.t.Fatalf("Create(%s) succeeded, want a refusal", name)
	}
	return refusalText(err)
}

// refusalText is the error message Cognito would show the client.
func refusalText(err error) string { return err.Error() }

// oneMessage takes the single message enqueued since the last call.
func (h *harness) oneMessage() schema.Message {
	h.t.Helper()
	msgs := h.inbox()
	if len(msgs) != 1 {
		h.t.Fatalf("%d messages enqueued, want 1", len(msgs))
	}
	validateMessage(h.t, msgs[0])
	return msgs[0]
}

// decoyMessages takes the n messages enqueued since the last call and
// checks that each is a decoy's: its challenge is marked so the worker's
// claim refuses it, and its sealed code does not verify.
func (h *harness) decoyMessages(n int) {
	h.t.Helper()
	msgs := h.inbox()
	if len(msgs) != n {
		h.t.Fatalf("%d messages enqueued, want %d decoys", len(msgs), n)
	}
	for _, m := range msgs {
		validateMessage(h.t, m)
		c, err := h.store.GetChallenge(context.Background(), m.ChallengeID)
		if err != nil || !c.Decoy {
			h.t.Fatalf("message for challenge %+v (%v), want a decoy", c, err)
		}
		kr, err := h.keys.Keyring(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if kr.CheckMAC(c.KeyID, c.MAC, c.ID, h.code(m)) {
			h.t.Fatal("a decoy message's code verifies")
		}
	}
}

func (h *harness) noMessage() {
	h.t.Helper()
	if msgs := h.inbox(); len(msgs) != 0 {
		h.t.Fatalf("%d messages enqueued, want none", len(msgs))
	}
}

var messageSchema = func() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytesReader(schema.MessageV1JSONSchema))
	if err != nil {
		panic(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("message.v1.schema.json", doc); err != nil {
		panic(err)
	}
	return c.MustCompile("message.v1.schema.json")
}()

// validateMessage checks a produced message against the published JSON Schema.
func validateMessage(t testing.TB, m schema.Message) {
	t.Helper()
	body, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytesReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := messageSchema.Validate(v); err != nil {
		t.Errorf("message does not match message.v1.schema.json: %v", err)
	}
}

func challengeID(t testing.TB, ev createEvent) string {
	t.Helper()
	id := ev.Response.PrivateChallengeParameters["challengeId"]
	if len(id) != 32 {
		t.Fatalf("private challengeId = %q", id)
	}
	return id
}

func TestCreateNewCode(t *testing.T) {
	h := newHarness(t)
	ev := h.createOK("first-round.json")
	id := challengeID(t, ev)
	want := events.CognitoEventUserPoolsCreateAuthChallengeResponse{
		PublicChallengeParameters: map[string]string{
			"maskedPhone": "+*******0123",
			"codeLength":  "6",
			"expiresIn":   "180",
			"resendAfter": "30",
			"channel":     "sms",
		},
		PrivateChallengeParameters: map[string]string{"challengeId": id},
		ChallengeMetadata:          "otp:" + id,
	}
	if d := cmp.Diff(want, ev.Response); d != "" {
		t.Errorf("response (-want +got):\n%s", d)
	}
	m := h.oneMessage()
	code := h.code(m)
	if m.To != userPhone || m.ChallengeID != id || m.Locale != "en" || len(code) != 6 {
		t.Errorf("message = %+v with code length %d", m, len(code))
	}
	if !m.ExpiresAt.Equal(h.clock.Now().Add(3 * time.Minute)) {
		t.Errorf("message expires %s, want now+3m", m.ExpiresAt)
	}
	c, err := h.store.GetChallenge(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := h.keys.Keyring(context.Background())
	if !kr.CheckMAC(c.KeyID, c.MAC, id, code) || c.Attempts != 0 || c.MaxAttempts != 3 || c.Phone != userPhone {
		t.Errorf("stored challenge does not hold the code's MAC: %+v", c)
	}
	h.noCodeInLogs(code)
}

func TestCreateReuse(t *testing.T) {
	h := newHarness(t)
	first := challengeID(t, h.createOK("first-round.json"))
	h.oneMessage()

	// Cognito retries a slow Create; a second sign-in within the cooldown.
	h.clock.Advance(10 * time.Second)
	again := h.createOK("first-round.json")
	if id := challengeID(t, again); id != first {
		t.Errorf("within cooldown: challenge %s, want reuse of %s", id, first)
	}
	if got := again.Response.PublicChallengeParameters["resendAfter"]; got != "20" {
		t.Errorf("resendAfter = %s, want 20", got)
	}
	if got := again.Response.PublicChallengeParameters["expiresIn"]; got != "170" {
		t.Errorf("expiresIn = %s, want 170", got)
	}
	h.noMessage()

	// A wrong answer, then the next round of the same session: past the
	// cooldown, still the same code.
	h.clock.Advance(40 * time.Second)
	raw := fixture(t, "create/second-round.json")
	var ev createEvent
	json.Unmarshal(raw, &ev)
	ev.Request.Session[0].ChallengeMetadata = "otp:" + first
	got, err := h.create.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if id := challengeID(t, got); id != first {
		t.Errorf("same session: challenge %s, want %s", id, first)
	}
	h.noMessage()

	// A new sign-in after the cooldown gets a new code.
	fresh := challengeID(t, h.createOK("first-round.json"))
	if fresh == first {
		t.Error("after the cooldown the old challenge was reused")
	}
	h.oneMessage()
}

func TestCreateSendCaps(t *testing.T) {
	h := newHarness(t)
	start := h.clock.Now()
	for range 5 {
		h.createOK("first-round.json")
		h.oneMessage()
		h.clock.Advance(31 * time.Second)
	}
	got := h.createRefused("first-round.json")
	wait := start.Add(15*time.Minute).Sub(h.clock.Now()) / time.Second
	if want := "OTP_RATE_LIMITED retryAfter=" + strconv.Itoa(int(wait)); got != want {
		t.Errorf("6th code in 15 min: %q, want %q", got, want)
	}
	h.noMessage()
	// A new window lets the number in again, up to the daily cap of 10.
	h.clock.Advance(15 * time.Minute)
	for range 5 {
		h.createOK("first-round.json")
		h.oneMessage()
		h.clock.Advance(31 * time.Second)
	}
	// Both the 15-minute and the daily cap are full: the wait is until both
	// have room, the end of the UTC day.
	wait = start.Truncate(24*time.Hour).Add(24*time.Hour).Sub(h.clock.Now()) / time.Second
	if got, want := h.createRefused("first-round.json"), "OTP_RATE_LIMITED retryAfter="+strconv.Itoa(int(wait)); got != want {
		t.Errorf("11th code in a day: %q, want %q", got, want)
	}
}

func TestCreateGlobalCap(t *testing.T) {
	h := newHarness(t, func(c *triggers.Config) {
		c.Policy.Caps = []otp.Cap{{Scope: otp.ScopeGlobal, Window: time.Hour, Max: 1}}
	})
	h.createOK("first-round.json")
	h.oneMessage()
	h.clock.Advance(31 * time.Second)
	if got := h.createRefused("first-round.json"); got != "OTP_CAP_REACHED" {
		t.Errorf("over the global cap: %q", got)
	}
	h.noMessage()
}

// Create does not judge a number's type or validity: PreSignUp did, where
// the number entered, and the app client cannot rewrite it. A landline or
// toll-free number gets here only when an administrator wrote it
// (AdminUpdateUserAttributes, which runs no PreSignUp); it gets a code, and
// the provider refuses the SMS as permanent (docs/security.md).
func TestCreateLeavesTypeToPreSignUp(t *testing.T) {
	for _, fixture := range []string{"landline.json", "toll-free.json"} {
		t.Run(fixture, func(t *testing.T) {
			h := newHarness(t, func(c *triggers.Config) { c.Phone.AllowedCountries = []string{"US", "GB"} })
			h.createOK(fixture)
			h.oneMessage()
		})
	}
}

func TestCreateRefusesNumbers(t *testing.T) {
	tests := []struct {
		fixture string
		allowed []string
		want    string
	}{
		{"no-phone.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"unparseable-phone.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"megabyte-phone.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"unknown-calling-code.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"impossible-length.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		// Lengths some German numbers have, but outside E.164's 7 to 15
		// digits that a queue message takes: refused, not OTP_UNAVAILABLE.
		{"short-german.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"long-german.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"unknown-user-short-german.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"no-country.json", nil, "OTP_COUNTRY_NOT_ALLOWED"},
		{"india.json", []string{"US"}, "OTP_COUNTRY_NOT_ALLOWED"},
		{"unknown-user-garbage.json", nil, "OTP_NUMBER_NOT_ALLOWED"},
		{"wrong-challenge-name.json", nil, "OTP_BAD_REQUEST"},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			h := newHarness(t, func(c *triggers.Config) {
				if tc.allowed != nil {
					c.Phone.AllowedCountries = tc.allowed
				}
			})
			if got := h.createRefused(tc.fixture); got != tc.want {
				t.Errorf("refusal %q, want %q", got, tc.want)
			}
			h.noMessage()
		})
	}
}

func TestCreateLocale(t *testing.T) {
	for fixture, want := range map[string]string{"locale-pt-br.json": "pt-BR", "locale-garbage.json": "en"} {
		h := newHarness(t)
		h.createOK(fixture)
		if m := h.oneMessage(); m.Locale != want {
			t.Errorf("%s: locale %q, want %q", fixture, m.Locale, want)
		}
	}
}

func TestCreateOddSessionMetadata(t *testing.T) {
	h := newHarness(t)
	h.createOK("odd-session-metadata.json")
	h.oneMessage()
}

func TestCreateMalformed(t *testing.T) {
	h := newHarness(t)
	if _, err := invoke(t, h.create.Handle, fixture(t, "create/malformed.json")); err == nil {
		t.Error("malformed event accepted")
	}
	h.noMessage()
}

func TestCreateUnknownUserLooksTheSame(t *testing.T) {
	h := newHarness(t)
	ev := h.createOK("unknown-user.json")
	id := challengeID(t, ev)
	if d := cmp.Diff(map[string]string{
		"maskedPhone": "+*******0199", "codeLength": "6", "expiresIn": "180", "resendAfter": "30", "channel": "sms",
	}, ev.Response.PublicChallengeParameters); d != "" {
		t.Errorf("public parameters (-want +got):\n%s", d)
	}
	if ev.Response.ChallengeMetadata != "otp:"+id {
		t.Errorf("metadata %q", ev.Response.ChallengeMetadata)
	}
	// The decoy's message goes to the queue as a real one does (same work,
	// same time); the worker's claim refuses it, so it is never sent.
	h.decoyMessages(1)
	c, err := h.store.GetChallenge(context.Background(), id)
	if err != nil || !c.Decoy {
		t.Fatalf("decoy challenge not stored: %+v, %v", c, err)
	}
	// The same send caps apply, with the same refusals.
	for range 4 {
		h.clock.Advance(31 * time.Second)
		h.createOK("unknown-user.json")
	}
	h.clock.Advance(31 * time.Second)
	if got := h.createRefused("unknown-user.json"); got[:16] != "OTP_RATE_LIMITED" {
		t.Errorf("6th decoy: %q", got)
	}
	h.decoyMessages(4)
}

func TestCreateQueueFailureVoids(t *testing.T) {
	h := newHarness(t)
	h.queue.fail = errors.New("sqs: service unavailable")
	if got := h.createRefused("first-round.json"); got != "OTP_UNAVAILABLE" {
		t.Errorf("queue down: %q", got)
	}
	ptr, err := h.store.GetPointer(context.Background(), userPhone, clientID)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := h.store.GetChallenge(context.Background(), ptr.ChallengeID); !c.Voided {
		t.Error("challenge whose SMS could not be enqueued is not voided")
	}
	h.queue.fail = nil
	// The pointer names a voided challenge, so the retry sends a fresh code
	// at once, within the cooldown.
	ev := h.createOK("first-round.json")
	h.oneMessage()
	c, err := h.store.GetChallenge(context.Background(), challengeID(t, ev))
	if err != nil || c.Voided {
		t.Errorf("retry challenge: %+v, %v", c, err)
	}
}

// failingStore fails the named operation.
type failingStore struct {
	triggers.Store
	op string
}

var errStore = errors.New("dynamodb: throttled")

func (s failingStore) GetPointer(ctx context.Context, p, c string) (otp.Pointer, error) {
	if s.op == "GetPointer" {
		return otp.Pointer{}, errStore
	}
	return s.Store.GetPointer(ctx, p, c)
}

func (s failingStore) PutChallenge(ctx context.Context, c otp.Challenge, ctrs []otp.Counter, claim otp.PointerClaim) error {
	if s.op == "PutChallenge" {
		return errStore
	}
	return s.Store.PutChallenge(ctx, c, ctrs, claim)
}

func TestCreateStoreFailures(t *testing.T) {
	for _, op := range []string{"GetPointer", "PutChallenge"} {
		t.Run(op, func(t *testing.T) {
			base := newHarness(t)
			h := newHarnessWith(t, base.clock, failingStore{Store: base.store, op: op}, base.queue.Queue, base.inbox, testSecret)
			if got := h.createRefused("first-round.json"); got != "OTP_UNAVAILABLE" {
				t.Errorf("refusal %q", got)
			}
			h.noMessage()
		})
	}
}

// appliedStore applies PutChallenge and then reports it failed, as an
// answer cut short or a lost answer whose retry was refused does.
type appliedStore struct{ triggers.Store }

func (s appliedStore) PutChallenge(ctx context.Context, c otp.Challenge, ctrs []otp.Counter, claim otp.PointerClaim) error {
	if err := s.Store.PutChallenge(ctx, c, ctrs, claim); err != nil {
		return err
	}
	return errStore
}

// A write reported failed may have been applied: Create voids it, so
// Cognito's replay of the event sends a new code rather than reuse one
// that was never enqueued (found by faults.TestCreateUnderFaults).
func TestCreateVoidsAWriteOfUnknownOutcome(t *testing.T) {
	base := newHarness(t)
	h := newHarnessWith(t, base.clock, appliedStore{base.store}, base.queue.Queue, base.inbox, testSecret)
	if got := h.createRefused("first-round.json"); got != "OTP_UNAVAILABLE" {
		t.Errorf("refusal %q", got)
	}
	h.noMessage()
	ev := base.createOK("first-round.json")
	m := base.oneMessage()
	if id := challengeID(t, ev); id != m.ChallengeID {
		t.Errorf("replay answered challenge %s, but the SMS is for %s", id, m.ChallengeID)
	}
}

func TestCreateAttemptsExhausted(t *testing.T) {
	h := newHarness(t)
	id, code := h.newCode()
	for range 3 {
		if h.answer(id, wrongCode(code)) {
			t.Fatal("wrong code accepted")
		}
	}
	h.clock.Advance(10 * time.Second)
	if got := h.createRefused("first-round.json"); got != "OTP_ATTEMPTS_EXHAUSTED retryAfter=20" {
		t.Errorf("new sign-in with spent attempts: %q", got)
	}
	h.noMessage()
	h.clock.Advance(20 * time.Second)
	h.createOK("first-round.json")
	h.oneMessage()
}

func TestCreateTenEntrySession(t *testing.T) {
	h := newHarness(t)
	h.createOK("ten-entry-session.json")
	h.oneMessage()
}

// A decoy never hands a real number's sign-in a code that cannot work.
func TestCreateDecoyAndKnownUserOnOneNumber(t *testing.T) {
	h := newHarness(t)
	if got := h.createRefused("unknown-user-formatted.json"); got != "OTP_NUMBER_NOT_ALLOWED" {
		t.Errorf("unknown user typing a formatted number: %q", got)
	}
	decoy := challengeID(t, h.createOK("unknown-user-known-number.json"))
	h.decoyMessages(1)
	h.clock.Advance(5 * time.Second)
	real := challengeID(t, h.createOK("first-round.json"))
	if real == decoy {
		t.Fatal("a known user was handed the decoy challenge")
	}
	code := h.code(h.oneMessage())
	if !h.answer(real, code) {
		t.Error("the known user's code does not verify")
	}
}

func TestCreateAfterSuccessSendsNewCode(t *testing.T) {
	h := newHarness(t)
	id := challengeID(t, h.createOK("first-round.json"))
	code := h.code(h.oneMessage())
	if !h.answer(id, code) {
		t.Fatal("right code refused")
	}
	h.clock.Advance(5 * time.Second)
	if again := challengeID(t, h.createOK("first-round.json")); again == id {
		t.Error("a consumed challenge was reused")
	}
	h.oneMessage()
}

func createEventFixture(t testing.TB, name string) createEvent {
	t.Helper()
	var ev createEvent
	if err := json.Unmarshal(fixture(t, "create/"+name), &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// racingStore lets a rival Create run to its end just before the first
// PutChallenge, as a Cognito retry whose first attempt still runs would.
type racingStore struct {
	triggers.Store
	rival func()
	ran   atomic.Bool
}

func (s *racingStore) PutChallenge(ctx context.Context, c otp.Challenge, ctrs []otp.Counter, claim otp.PointerClaim) error {
	if s.ran.CompareAndSwap(false, true) {
		s.rival()
	}
	return s.Store.PutChallenge(ctx, c, ctrs, claim)
}

// Finding 6 of the adversarial run: a Create that answers a concurrent
// winner's challenge logged "newCode":true. Only the winner made a code.
func TestCreateLosingTheRaceLogsNoNewCode(t *testing.T) {
	base := newHarness(t)
	race := &racingStore{Store: base.store}
	h := newHarnessWith(t, base.clock, race, base.queue.Queue, base.inbox, testSecret)
	race.rival = func() { h.createOK("first-round.json") }
	loser := h.createOK("first-round.json")
	h.oneMessage()
	var newCode []bool
	for _, line := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		var l struct {
			Msg       string
			Challenge string
			NewCode   bool
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		if l.Msg == "challenge ready" {
			if l.Challenge != challengeID(t, loser) {
				t.Errorf("challenge ready %s, want the winner's %s", l.Challenge, challengeID(t, loser))
			}
			newCode = append(newCode, l.NewCode)
		}
	}
	if d := cmp.Diff([]bool{true, false}, newCode); d != "" {
		t.Errorf("newCode of the winner, then the loser (-want +got):\n%s", d)
	}
}

// TestCreateChannel: Create names the channel of the first send, from the
// route for the number's country and, with OTP_CHANNEL_ATTRIBUTE set, the
// user's preferred channel, and passes the preference and the country on
// to the worker in the queue message (the worker routes by that country:
// it parses no number). With no attribute (the default) no preference is
// read: a registered user is named the channel an unknown number is, so
// the public parameter tells neither apart (docs/security.md).
func TestCreateChannel(t *testing.T) {
	plan := func(attr string) option {
		return func(c *triggers.Config) {
			c.Channels = channel.Plan{Default: []string{"twilio", "sns"}, Routes: map[string][]string{"IN": {"whatsapp", "eum", "twilio"}}}
			c.ChannelAttribute = attr
		}
	}
	tests := []struct {
		attr, fixture, want, wantPrefer, wantCountry string
	}{
		{"custom:otp_channel", "india.json", "whatsapp", "", "IN"},
		{"custom:otp_channel", "india-prefers-sms.json", "sms", "sms", "IN"},
		{"custom:otp_channel", "first-round.json", "sms", "", "US"},
		{"", "india.json", "whatsapp", "", "IN"},
		{"", "india-prefers-sms.json", "whatsapp", "", "IN"}, // the attribute is not read
		{"", "first-round.json", "sms", "", "US"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+" attribute "+tt.attr, func(t *testing.T) {
			h := newHarness(t, plan(tt.attr))
			ev := h.createOK(tt.fixture)
			if got := ev.Response.PublicChallengeParameters["channel"]; got != tt.want {
				t.Errorf("channel = %q, want %q", got, tt.want)
			}
			m := h.oneMessage()
			if m.Channel != tt.wantPrefer {
				t.Errorf("queue message channel = %q, want %q", m.Channel, tt.wantPrefer)
			}
			if m.Country != tt.wantCountry {
				t.Errorf("queue message country = %q, want %q", m.Country, tt.wantCountry)
			}
		})
	}
}

// TestDefaultChannelNamesNoRegisteredUser: with the default configuration
// (no preference attribute) and a mixed route, a registered user who set
// the other channel and an unknown number get the same public channel.
func TestDefaultChannelNamesNoRegisteredUser(t *testing.T) {
	if attr := triggers.DefaultConfig().ChannelAttribute; attr != "" {
		t.Fatalf("default ChannelAttribute %q: preferences are opt-in", attr)
	}
	h := newHarness(t, func(c *triggers.Config) {
		c.Channels = channel.Plan{Default: []string{"twilio"}, Routes: map[string][]string{"IN": {"whatsapp", "eum"}}}
	})
	registered := h.createOK("india-prefers-sms.json").Response.PublicChallengeParameters["channel"]
	h.inbox()
	unknown := h.createOK("unknown-user-india.json").Response.PublicChallengeParameters["channel"]
	h.decoyMessages(1)
	if registered != unknown || unknown != "whatsapp" {
		t.Errorf("channel: registered user preferring SMS %q, unknown number %q; want both whatsapp", registered, unknown)
	}
}
