package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// cognitoJob stores a delivery record as the custom SMS sender does and
// returns the v2 body for it.
func (h *harness) cognitoJob(kind string, secret schema.CognitoSecret, window time.Duration) []byte {
	h.t.Helper()
	ctx := context.Background()
	kr, err := h.keys.Keyring(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	h.phoneSeq++
	now := h.clock.Now().UTC().Truncate(time.Millisecond)
	id, _ := otp.NewID(nil)
	keyID, mac := kr.MAC(id, "x")
	rec := otp.Challenge{ID: id, Phone: phoneFor(h.phoneSeq), ClientID: "cognito-custom-sms-sender", KeyID: keyID, MAC: mac,
		Locale: "en", CreatedAt: now, ExpiresAt: now.Add(window)}
	if err := h.store.PutChallenge(ctx, rec, nil, otp.PointerClaim{StaleBefore: now}); err != nil {
		h.t.Fatal(err)
	}
	msgID, _ := otp.NewID(nil)
	m, err := schema.NewCognitoSMS(kr, kind, msgID, id, rec.Phone, "en", secret, now, rec.ExpiresAt)
	if err != nil {
		h.t.Fatal(err)
	}
	m.Country = "US" // as the trigger sets it (phoneFor's numbers are +1 415)
	body, err := m.Encode()
	if err != nil {
		h.t.Fatal(err)
	}
	return body
}

// Version 2 jobs go through the same claim and provider as v1: sent once,
// with the kind's text.
func TestProcessCognitoSMS(t *testing.T) {
	h := newHarness(t, worker.DefaultConfig(), &fakeProvider{name: "p"})
	ctx := context.Background()
	body := h.cognitoJob(schema.KindForgotPassword, schema.CognitoSecret{Code: "654321"}, 10*time.Minute)
	for i, want := range []string{worker.ReasonSent, worker.ReasonDuplicate} {
		if o := h.worker.Process(ctx, body); o.Reason != want {
			t.Fatalf("process %d: %+v, want %s", i+1, o, want)
		}
	}
	sent := h.provider.Sent()
	if len(sent) != 1 || !strings.HasPrefix(sent[0].Body, "Your password reset code is 654321.") {
		t.Fatalf("sent %+v", sent)
	}
}

func TestProcessCognitoSMSRefuses(t *testing.T) {
	h := newHarness(t, worker.DefaultConfig(), &fakeProvider{name: "p"})
	ctx := context.Background()
	expiring := h.cognitoJob(schema.KindSignUp, schema.CognitoSecret{Code: "123456"}, time.Minute)
	tampered := strings.Replace(string(h.cognitoJob(schema.KindSignUp, schema.CognitoSecret{Code: "123456"}, time.Minute)), `"locale":"en"`, `"locale":"es"`, 1)
	// A code-shaped secret where a code kind needs one is checked by the
	// renderer: a job whose secret is no code is dead-lettered, not sent.
	noCode := h.cognitoJob(schema.KindSignUp, schema.CognitoSecret{}, time.Minute)
	tests := []struct {
		name   string
		body   []byte
		action worker.Action
		reason string
		before func()
	}{
		{"unknown kind", []byte(`{"version":2,"kind":"welcome"}`), worker.DeadLetter, worker.ReasonMalformed, nil},
		{"tampered locale", []byte(tampered), worker.DeadLetter, worker.ReasonUnseal, nil},
		{"no code", noCode, worker.DeadLetter, worker.ReasonRender, nil},
		{"expired", expiring, worker.Delete, worker.ReasonExpired, func() { h.clock.Advance(time.Minute) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			if o := h.worker.Process(ctx, tt.body); o.Action != tt.action || o.Reason != tt.reason {
				t.Fatalf("%+v, want %s %s", o, tt.action, tt.reason)
			}
		})
	}
	if n := len(h.provider.Sent()); n != 0 {
		t.Fatalf("%d sent", n)
	}
}

// A Cognito code may go by WhatsApp (the provider gets it alone); a
// temporary password may not (no code, so a template channel refuses it).
func TestProcessCognitoSMSCodeForTemplates(t *testing.T) {
	tests := []struct {
		kind     string
		secret   schema.CognitoSecret
		wantCode string
	}{
		{schema.KindForgotPassword, schema.CognitoSecret{Code: "654321"}, "654321"},
		{schema.KindAdminCreateUser, schema.CognitoSecret{Code: "Tmp#Pass w0rd", Username: "alice"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			h := newHarness(t, worker.DefaultConfig(), &fakeProvider{name: "p"})
			if o := h.worker.Process(context.Background(), h.cognitoJob(tt.kind, tt.secret, 10*time.Minute)); o.Reason != worker.ReasonSent {
				t.Fatalf("outcome %+v", o)
			}
			if sent := h.provider.Sent(); len(sent) != 1 || sent[0].Code != tt.wantCode || sent[0].Locale != "en" {
				t.Errorf("sent %+v, want code %q", sent, tt.wantCode)
			}
		})
	}
}
