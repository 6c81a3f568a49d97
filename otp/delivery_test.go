package otp_test

import (
	"github.com/google/go-cmp/cmp"

	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

func TestDeliveryStateNames(t *testing.T) {
	cases := []struct {
		s    otp.DeliveryState
		name string
	}{
		{otp.DeliveryNone, "none"},
		{otp.DeliverySending, "sending"},
		{otp.DeliverySent, "sent"},
		{otp.DeliveryFailedRetryable, "failed-retryable"},
		{otp.DeliveryFailedPermanent, "failed-permanent"},
		{otp.DeliveryUnknown, "unknown"},
		{otp.DeliveryState(42), "DeliveryState(42)"},
	}
	for _, tc := range cases {
		if got := tc.s.String(); got != tc.name {
			t.Errorf("%d.String() = %q, want %q", int(tc.s), got, tc.name)
		}
	}
	for _, s := range []otp.DeliveryState{otp.DeliveryNone, otp.DeliverySending, otp.DeliverySent, otp.DeliveryFailedRetryable, otp.DeliveryFailedPermanent} {
		if got := otp.ParseDeliveryState(s.String()); got != s {
			t.Errorf("ParseDeliveryState(%q) = %s", s.String(), got)
		}
	}
	// A state a newer version wrote is never taken for none.
	for _, name := range []string{"queued", "unknown", "", "SENT"} {
		if got := otp.ParseDeliveryState(name); got != otp.DeliveryUnknown {
			t.Errorf("ParseDeliveryState(%q) = %s, want unknown", name, got)
		}
	}
}

func TestOutcomeCheck(t *testing.T) {
	for _, o := range []otp.Outcome{otp.Sent("sns", "m1"), otp.RetryableFailure(""), otp.PermanentFailure("twilio"), otp.DeferredSend()} {
		if err := o.Check(); err != nil {
			t.Errorf("%+v.Check() = %v", o, err)
		}
	}
	for _, s := range []otp.DeliveryState{otp.DeliveryNone, otp.DeliverySending, otp.DeliveryUnknown, otp.DeliveryState(-1)} {
		if err := (otp.Outcome{State: s}).Check(); err == nil {
			t.Errorf("Outcome{%s}.Check() = nil, want an error", s)
		}
	}
}

func TestDeliveryHeldRecordedWith(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	sending := otp.Delivery{State: otp.DeliverySending, At: at, Attempts: 2}
	cases := []struct {
		name      string
		d         otp.Delivery
		claimedAt time.Time
		o         otp.Outcome
		held      bool
		recorded  bool
	}{
		{"holder", sending, at.Add(999 * time.Microsecond), otp.Sent("sns", "m1"), true, false},
		{"another claim time", sending, at.Add(time.Millisecond), otp.Sent("sns", "m1"), false, false},
		{"never claimed", otp.Delivery{}, time.Time{}, otp.Sent("sns", "m1"), false, false},
		{"own earlier record", sending.With(otp.Sent("sns", "m1")), at, otp.Sent("sns", "m1"), false, true},
		{"another outcome recorded", sending.With(otp.Sent("sns", "m1")), at, otp.Sent("sns", "m2"), false, false},
		{"another provider recorded", sending.With(otp.RetryableFailure("twilio")), at, otp.RetryableFailure("sns"), false, false},
	}
	for _, tc := range cases {
		if got := tc.d.Held(tc.claimedAt); got != tc.held {
			t.Errorf("%s: Held = %v, want %v", tc.name, got, tc.held)
		}
		if got := tc.d.Recorded(tc.claimedAt, tc.o); got != tc.recorded {
			t.Errorf("%s: Recorded = %v, want %v", tc.name, got, tc.recorded)
		}
	}
	want := otp.Delivery{State: otp.DeliveryFailedRetryable, At: at, Attempts: 1}
	if got := sending.With(otp.DeferredSend()); !cmp.Equal(got, want) {
		t.Errorf("With(DeferredSend()) = %+v, want %+v", got, want)
	}
}
