package customsms_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/customsms/esdk"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

const (
	code     = "483920"
	tempPass = "Tmp#Pa55 w0rd"
	number   = "+14155550123"
)

// Each trigger source: decrypted, sealed, enqueued once even when Cognito
// retries, delivered once with its text; no code or number in any log.
func TestEachSourceDeliveredOnce(t *testing.T) {
	cfg := defaultConfig()
	// One number gets every kind here: room for all of them.
	cfg.Caps[0].Max, cfg.Caps[1].Max = 20, 20
	h := newHarness(t, cfg)
	tests := []struct{ source, secret, want string }{
		{"SignUp", code, "Your sign-up code is 483920. Don't share it.\n@example.com #483920"},
		{"ResendCode", code, "Your sign-up code is 483920. Don't share it.\n@example.com #483920"},
		{"ForgotPassword", code, "Your password reset code is 483920. If you didn't ask for it, ignore this message.\n@example.com #483920"},
		{"UpdateUserAttribute", code, "Your verification code is 483920. Don't share it.\n@example.com #483920"},
		{"VerifyUserAttribute", code, "Tu clave para verificar es 483920. No la compartas.\n@example.com #483920"},
		{"AdminCreateUser", tempPass, "Your account is ready. Username: alice Temporary password: Tmp#Pa55 w0rd You'll choose a new password when you sign in."},
		{"AccountTakeOverNotification", "", "We blocked a suspicious sign-in to your account. If it wasn't you, change your password now."},
		{"Authentication", code, "Your sign-in code is 483920. Don't share it.\n@example.com #483920"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			h.sent.sent = nil
			// Cognito's retry carries the same code, encrypted again.
			for range 2 {
				if _, err := h.handler.Handle(ctx, h.event(tt.source, tt.secret, poolID)); err != nil {
					t.Fatalf("Handle: %v", err)
				}
			}
			// Neither attempt's job was claimed yet, so the retry enqueued
			// it again: the worker's claim keeps the copies to one SMS.
			bodies := h.receive()
			if len(bodies) != 2 {
				t.Fatalf("%d messages on the queue, want 2", len(bodies))
			}
			body := string(bodies[0])
			if tt.secret != "" && strings.Contains(body, tt.secret) || strings.Contains(body, "alice") {
				t.Fatalf("secret in the queue message: %s", body)
			}
			m, err := schema.DecodeCognitoSMS(bodies[0])
			if err != nil {
				t.Fatal(err)
			}
			window := customsms.DefaultDeliveryWindow
			if tt.source == "Authentication" {
				window = 3 * time.Minute // Cognito's MFA / SMS_OTP code life
			}
			if got := m.ExpiresAt.Sub(m.CreatedAt); got != window {
				t.Fatalf("delivery window %s, want %s", got, window)
			}
			// The country the caps counted travels with the job: the
			// worker routes by it without a numbering plan.
			if m.Country != "US" {
				t.Fatalf("job country %q, want US", m.Country)
			}
			// An SQS redelivery and the retry's copy are claimed as already
			// sent.
			for i, want := range []string{worker.ReasonSent, worker.ReasonDuplicate, worker.ReasonDuplicate} {
				if o := h.worker.Process(ctx, bodies[min(i, 1)]); o.Reason != want {
					t.Fatalf("process %d: %+v, want %s", i+1, o, want)
				}
			}
			// Once the worker has the job, a late retry enqueues nothing.
			if _, err := h.handler.Handle(ctx, h.event(tt.source, tt.secret, poolID)); err != nil {
				t.Fatalf("late retry: %v", err)
			}
			if n := len(h.receive()); n != 0 {
				t.Fatalf("late retry enqueued %d messages", n)
			}
			if len(h.sent.sent) != 1 {
				t.Fatalf("%d SMS sent, want 1", len(h.sent.sent))
			}
			if got := h.sent.sent[0]; got.Body != tt.want || got.To != number || got.Country != "US" {
				t.Fatalf("sent %q to %s (%s)\nwant %q", got.Body, got.To, got.Country, tt.want)
			}
		})
	}
	if n := h.metrics.get("CustomSMSDuplicate"); n != 2*len(tests) {
		t.Errorf("CustomSMSDuplicate = %d, want %d", n, 2*len(tests))
	}
	noSecrets(t, h)
}

// A first attempt whose enqueue failed leaves its record for Cognito's
// retry, which enqueues the job: the SMS is not lost, and the caps counted
// once.
func TestRetryAfterFailedEnqueueDelivers(t *testing.T) {
	h := newHarness(t, defaultConfig())
	ctx := context.Background()
	ev := h.event("ForgotPassword", code, poolID)
	h.queue.fail.Store(true)
	if _, err := h.handler.Handle(ctx, ev); err == nil {
		t.Fatal("Handle succeeded with the queue down")
	}
	h.queue.fail.Store(false)
	if _, err := h.handler.Handle(ctx, h.event("ForgotPassword", code, poolID)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	bodies := h.receive()
	if len(bodies) != 1 {
		t.Fatalf("%d messages on the queue, want 1", len(bodies))
	}
	if o := h.worker.Process(ctx, bodies[0]); o.Reason != worker.ReasonSent {
		t.Fatalf("process: %+v", o)
	}
	if len(h.sent.sent) != 1 {
		t.Fatalf("%d SMS sent, want 1", len(h.sent.sent))
	}
	if n := h.metrics.get("CustomSMSDuplicate"); n != 1 {
		t.Fatalf("CustomSMSDuplicate = %d, want 1", n)
	}
	noSecrets(t, h)
}

// Bad input is refused with its reason and a metric; nothing is written,
// queued or sent.
func TestBadInputRefused(t *testing.T) {
	h := newHarness(t, defaultConfig())
	ctx := context.Background()
	other, err := esdk.New(ctx, h.kms, newKey(t, h.kms))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func(ev *customsms.Event)
		reason string
	}{
		{"not base64", func(ev *customsms.Event) { ev.Request.Code = "not base64!" }, customsms.ReasonNotBase64},
		{"no code", func(ev *customsms.Event) { ev.Request.Code = "" }, customsms.ReasonNotBase64},
		{"truncated", func(ev *customsms.Event) { ev.Request.Code = ev.Request.Code[:len(ev.Request.Code)/2] + "==" }, customsms.ReasonNotBase64},
		{"truncated ciphertext", func(ev *customsms.Event) { ev.Request.Code = truncateB64(t, ev.Request.Code) }, customsms.ReasonUndecryptable},
		{"wrong key", func(ev *customsms.Event) { ev.Request.Code = h.encrypt(other, code, poolID) }, customsms.ReasonUndecryptable},
		{"wrong context", func(ev *customsms.Event) { ev.Request.Code = h.encrypt(h.codec, code, "us-east-1_OTHERPOOL") }, customsms.ReasonUndecryptable},
		{"not a code", func(ev *customsms.Event) { ev.Request.Code = h.encrypt(h.codec, "12 34<script>", poolID) }, customsms.ReasonBadCode},
		// The worker would refuse to render these: no digit for a code typed
		// into an app, and a username longer than Cognito's.
		{"code without a digit", func(ev *customsms.Event) { ev.Request.Code = h.encrypt(h.codec, "abcdef", poolID) }, customsms.ReasonBadCode},
		{"username too long", func(ev *customsms.Event) {
			ev.TriggerSource = "CustomSMSSender_AdminCreateUser"
			ev.UserName = strings.Repeat("u", 129)
			ev.Request.Code = h.encrypt(h.codec, "Temp-Pass-1", poolID)
		}, customsms.ReasonBadCode},
		{"unknown source", func(ev *customsms.Event) { ev.TriggerSource = "CustomSMSSender_Welcome" }, customsms.ReasonUnknownSource},
		{"custom email source", func(ev *customsms.Event) { ev.TriggerSource = "CustomEmailSender_SignUp" }, customsms.ReasonUnknownSource},
		{"request type", func(ev *customsms.Event) { ev.Request.Type = "customEmailSenderRequestV1" }, customsms.ReasonBadRequest},
		{"no phone", func(ev *customsms.Event) { delete(ev.Request.UserAttributes, "phone_number") }, customsms.ReasonNoPhone},
		{"invalid number", func(ev *customsms.Event) { ev.Request.UserAttributes["phone_number"] = "+1415555" }, customsms.ReasonNumberRefused},
		// The number's type is PreSignUp's to judge, at sign-up: a
		// premium-rate number is no longer refused here (docs/security.md);
		// a number of no country still is.
		{"number of no country", func(ev *customsms.Event) { ev.Request.UserAttributes["phone_number"] = "+80012345678" }, customsms.ReasonNumberRefused},
		{"not E.164", func(ev *customsms.Event) { ev.Request.UserAttributes["phone_number"] = "+1 415 555 0123" }, customsms.ReasonNumberRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := h.event("SignUp", code, poolID)
			tt.edit(&ev)
			before := h.metrics.get("CustomSMSRefused/" + tt.reason)
			_, err := h.handler.Handle(ctx, ev)
			var r *customsms.Refusal
			if !errors.As(err, &r) || r.Reason != tt.reason {
				t.Fatalf("err = %v, want reason %s", err, tt.reason)
			}
			if strings.Contains(err.Error(), code) || strings.Contains(err.Error(), number) {
				t.Fatalf("error shows the code or number: %v", err)
			}
			if got := h.metrics.get("CustomSMSRefused/" + tt.reason); got != before+1 {
				t.Fatalf("metric CustomSMSRefused/%s = %d, want %d", tt.reason, got, before+1)
			}
		})
	}
	if n := len(h.receive()); n != 0 {
		t.Errorf("%d messages queued", n)
	}
	if n := h.items(); n != 0 {
		t.Errorf("%d items written", n)
	}
	if len(h.sent.sent) != 0 {
		t.Errorf("%d SMS sent", len(h.sent.sent))
	}
	// A refusal's log line names whose SMS it was (masked) and its cause.
	logs := h.logs.String()
	for _, want := range []string{`"phone":"` + phone.Mask(number) + `"`, `"kind":"signUp"`, `"cause":`} {
		if !strings.Contains(logs, want) {
			t.Errorf("refusal logs lack %s:\n%s", want, logs)
		}
	}
	noSecrets(t, h)
}

// Sign-up and reset codes count against the number's send caps, shared
// with sign-in codes; the refusal says when to try again.
func TestSendCapsApply(t *testing.T) {
	cfg := defaultConfig()
	cfg.Caps[0].Max = 2 // per number per 15 minutes
	h := newHarness(t, cfg)
	ctx := context.Background()
	for i, c := range []string{"111111", "222222"} {
		if _, err := h.handler.Handle(ctx, h.event("ForgotPassword", c, poolID)); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	_, err := h.handler.Handle(ctx, h.event("SignUp", "333333", poolID))
	var r *customsms.Refusal
	if !errors.As(err, &r) || r.Reason != customsms.ReasonRateLimited || r.RetryAfter <= 0 {
		t.Fatalf("third send: %v, want RateLimited with retryAfter", err)
	}
	if n := len(h.receive()); n != 2 {
		t.Fatalf("%d messages queued, want 2", n)
	}
}

// A pool id in the configuration refuses another pool's events.
func TestOtherPoolRefused(t *testing.T) {
	cfg := defaultConfig()
	cfg.UserPoolID = "us-east-1_MYPOOL"
	h := newHarness(t, cfg)
	_, err := h.handler.Handle(context.Background(), h.event("SignUp", code, poolID))
	var r *customsms.Refusal
	if !errors.As(err, &r) || r.Reason != customsms.ReasonBadRequest {
		t.Fatalf("err = %v, want BadRequest", err)
	}
}

func truncateB64(t *testing.T, s string) string {
	t.Helper()
	b := []byte(s)
	// Cut whole base64 quanta so it stays valid base64 of fewer bytes.
	n := (len(b) / 2) / 4 * 4
	return string(b[:n])
}

func noSecrets(t *testing.T, h *harness) {
	t.Helper()
	logs := h.logs.String()
	for _, s := range []string{code, tempPass, number} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}
