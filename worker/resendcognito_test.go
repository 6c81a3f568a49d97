package worker_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// firstCognito sends a Cognito job of kind through a and returns the
// outcome and the job.
func (r *resendRig) firstCognito(kind string, secret schema.CognitoSecret, window time.Duration) (worker.Outcome, schema.CognitoSMS) {
	r.t.Helper()
	body := r.cognitoJob(kind, secret, window)
	m, err := schema.DecodeCognitoSMS(body)
	if err != nil {
		r.t.Fatal(err)
	}
	o := r.process(body)
	if o.Reason != worker.ReasonSent {
		r.t.Fatalf("first send of a %s job: %+v", kind, o)
	}
	return o, m
}

// The pool's own SMS with a code get the sign-in code's resend: one more
// SMS through the next provider, with the same code and the kind's text,
// when the first was not delivered; none when it was, or for a duplicate
// check.
func TestResendCognitoSMS(t *testing.T) {
	cases := []struct {
		name    string
		kind    string
		receipt delivery.Status
		error   string
		checks  int
		want    []string // the outcome of each check
		resent  bool
	}{
		{"sign-up code filtered (30007)", schema.KindSignUp, delivery.Undelivered, "30007", 1, []string{worker.ReasonResent}, true},
		{"SMS_OTP code, no receipt in time", schema.KindAuthentication, 0, "", 1, []string{worker.ReasonResent}, true},
		{"reset code delivered", schema.KindForgotPassword, delivery.Delivered, "", 1, []string{worker.ReasonDelivered}, false},
		{"reset code opted out", schema.KindForgotPassword, delivery.Undelivered, "21610", 1, []string{worker.ReasonNoRoute}, false},
		{"duplicate check", schema.KindVerifyUserAttribute, delivery.Failed, "spam", 3, []string{worker.ReasonResent, worker.ReasonDuplicate, worker.ReasonDuplicate}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newResendRig(t, worker.DefaultResendConfig())
			first, m := r.firstCognito(tc.kind, schema.CognitoSecret{Code: "482913"}, 3*time.Minute)
			if first.Then == nil || first.Then.After != 20*time.Second {
				t.Fatalf("first send: %+v, want a delivery check after 20s", first)
			}
			if testutil.HoldsCode(string(first.Then.Body), "482913") {
				t.Fatal("the delivery check holds the code in the open")
			}
			if tc.receipt != 0 {
				r.receipt("a", "SM"+m.MessageID, tc.receipt, tc.error)
			}
			r.clock.Advance(20 * time.Second)
			for i, want := range tc.want {
				if o := r.process(first.Then.Body); o.Reason != want || o.Then != nil {
					t.Fatalf("check %d: %+v, want %s and no further check (SMS_MAX_SENDS_PER_CODE=2)", i+1, o, want)
				}
			}
			got := r.sent("b")
			if !tc.resent {
				if len(got) != 0 {
					t.Errorf("%d SMS through b, want none", len(got))
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Body, "482913") || got[0].Code != "482913" {
				t.Fatalf("resent %+v, want one SMS through b with the same code", got)
			}
			if first := r.sent("a"); len(first) != 1 || first[0].Body != got[0].Body {
				t.Errorf("resent text %q, want the first's %q", got[0].Body, first[0].Body)
			}
			if c := r.challenge(m.JobID); c.Delivery.Provider != "b" || len(c.Delivery.Via) != 2 {
				t.Errorf("record after the resend %+v, want sent by b, via a and b", c.Delivery)
			}
		})
	}
}

// A temporary password and an account-takeover notice carry no code to
// send again: no check follows their send.
func TestResendCognitoSMSKindsWithoutCode(t *testing.T) {
	r := newResendRig(t, worker.DefaultResendConfig())
	for kind, secret := range map[string]schema.CognitoSecret{
		schema.KindAdminCreateUser: {Code: "Tmp#Pass w0rd", Username: "alice"},
		schema.KindAccountTakeOver: {},
	} {
		if o, _ := r.firstCognito(kind, secret, 10*time.Minute); o.Then != nil {
			t.Errorf("%s: a delivery check after the send", kind)
		}
	}
	r.clock.Advance(time.Minute)
	if n := len(r.sent("b")) + len(r.sent("c")); n != 0 {
		t.Errorf("%d SMS through b or c", n)
	}
}

// The record's expiry bounds resends: an SMS_OTP code's (3 minutes) leaves
// no resend after 2m30s, as SMS_RESEND_MIN_LIFE asks 30s of life.
func TestResendCognitoSMSTooLate(t *testing.T) {
	r := newResendRig(t, worker.DefaultResendConfig())
	first, _ := r.firstCognito(schema.KindAuthentication, schema.CognitoSecret{Code: "482913"}, 3*time.Minute)
	r.clock.Advance(2*time.Minute + 31*time.Second)
	if o := r.process(first.Then.Body); o.Reason != worker.ReasonTooLate {
		t.Fatalf("late check: %+v, want %s", o, worker.ReasonTooLate)
	}
	if n := len(r.sent("b")); n != 0 {
		t.Errorf("%d SMS through b", n)
	}
}

// On fauxqs: the job, then its check delayed by SQS, then the resend.
func TestResendCognitoSMSOnSQS(t *testing.T) {
	r := resendOnSQS(t)
	r.viaSQS(r.cognitoJob(schema.KindSignUp, schema.CognitoSecret{Code: "482913"}, 10*time.Minute), "482913")
}
