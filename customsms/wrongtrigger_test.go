package customsms_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/refusal"
)

// countingDecrypter counts what it is asked to open.
type countingDecrypter struct {
	d customsms.Decrypter
	n atomic.Int32
}

func (c *countingDecrypter) Decrypt(ctx context.Context, ct []byte, pool string) ([]byte, error) {
	c.n.Add(1)
	return c.d.Decrypt(ctx, ct, pool)
}

// TestWrongTrigger feeds the sender the other triggers' events (their
// fixtures, with a code Cognito could have encrypted and the sender's
// request type, so only triggerSource is wrong): each is refused with
// OTP_BAD_REQUEST, as every trigger refuses another's event
// (triggers.TestWrongTrigger), counted as UnknownSource, with nothing
// decrypted, written or queued.
func TestWrongTrigger(t *testing.T) {
	h := newHarness(t, defaultConfig())
	ctx := context.Background()
	codes := &countingDecrypter{d: h.codec}
	store, err := dynamo.New(h.db, h.table)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := otp.NewKeyring([]byte("custom-sms-sender-test-secret-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(h.logs, nil))
	handler, err := customsms.New(defaultConfig(), codes, store, h.queue, staticKeys{kr}, customsms.Env{Log: log, Metrics: h.metrics})
	if err != nil {
		t.Fatal(err)
	}
	for _, fixture := range []string{
		"define/empty-session.json",
		"create/first-round.json",
		"verify/answer.json",
		"presignup/mobile.json",
		"presignup/admin-create.json",
		"postauth/unverified.json",
		"source/post-confirmation.json",
		"source/no-source.json",
	} {
		t.Run(fixture, func(t *testing.T) {
			ev := otherTrigger(t, fixture)
			ev.Request.Type = customsms.RequestTypeV1
			ev.Request.Code = h.encrypt(h.codec, code, ev.UserPoolID)
			before := h.metrics.get("CustomSMSRefused/" + customsms.ReasonUnknownSource)
			_, err := handler.Handle(ctx, ev)
			if err == nil || err.Error() != refusal.CodeBadRequest {
				t.Fatalf("error = %v, want %s", err, refusal.CodeBadRequest)
			}
			var r *customsms.Refusal
			if !errors.As(err, &r) || r.Reason != customsms.ReasonUnknownSource {
				t.Errorf("error = %#v, want a Refusal with reason %s", err, customsms.ReasonUnknownSource)
			}
			if got := h.metrics.get("CustomSMSRefused/" + customsms.ReasonUnknownSource); got != before+1 {
				t.Errorf("metric CustomSMSRefused/%s = %d, want %d", customsms.ReasonUnknownSource, got, before+1)
			}
		})
	}
	if n := codes.n.Load(); n != 0 {
		t.Errorf("%d codes decrypted", n)
	}
	if n := len(h.receive()); n != 0 {
		t.Errorf("%d messages queued", n)
	}
	if n := h.items(); n != 0 {
		t.Errorf("%d items written", n)
	}
	noSecrets(t, h)

	// The sender's own event, through the same handler, is decrypted and
	// queued: the counts above are not zero for want of a path.
	if _, err := handler.Handle(ctx, h.event("SignUp", code, poolID)); err != nil {
		t.Fatalf("own event: %v", err)
	}
	if n := codes.n.Load(); n != 1 {
		t.Errorf("own event: %d codes decrypted, want 1", n)
	}
	if n := len(h.receive()); n != 1 {
		t.Errorf("own event: %d messages queued, want 1", n)
	}
}

// otherTrigger reads a fixture of package triggers' events.
func otherTrigger(t *testing.T, name string) customsms.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "triggers", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev customsms.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return ev
}
