package delivery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

var t0 = time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)

func TestAdvanceOnlyForward(t *testing.T) {
	S, H, D, U, F := delivery.Sent, delivery.Handed, delivery.Delivered, delivery.Undelivered, delivery.Failed
	tests := []struct {
		from, to delivery.Status
		moves    bool
	}{
		{S, S, false}, {S, H, true}, {S, D, true}, {S, U, true}, {S, F, true},
		{H, S, false}, {H, H, false}, {H, D, true}, {H, F, true},
		{D, S, false}, {D, H, false}, {D, D, false}, {D, U, false}, {D, F, false},
		{U, D, false}, {U, F, false}, {F, D, false}, {F, U, false},
	}
	for _, tc := range tests {
		m := delivery.Message{Provider: "twilio", ID: "SM1", ChallengeID: "c", SentAt: t0, Status: tc.from}
		got, moved := m.Advance(delivery.Receipt{Provider: "twilio", MessageID: "SM1", Status: tc.to, ErrorCode: "30007", At: t0.Add(time.Second)})
		if moved != tc.moves {
			t.Errorf("%s -> %s: moved %v, want %v", tc.from, tc.to, moved, tc.moves)
		}
		if !moved && got != m {
			t.Errorf("%s -> %s: changed to %+v without moving", tc.from, tc.to, got)
		}
		if moved && (got.Status != tc.to || !got.StatusAt.Equal(t0.Add(time.Second))) {
			t.Errorf("%s -> %s: got %+v", tc.from, tc.to, got)
		}
		if moved && (tc.to == D || tc.to == H) && got.ErrorCode != "" {
			t.Errorf("%s -> %s: error code %q kept", tc.from, tc.to, got.ErrorCode)
		}
	}
}

func TestChange(t *testing.T) {
	sent := delivery.Message{Provider: "sns", ID: "x", ChallengeID: "c", Country: "BR", SentAt: t0, Status: delivery.Sent}
	delivered := sent
	delivered.Status, delivered.StatusAt = delivery.Delivered, t0.Add(3*time.Second)
	undelivered := sent
	undelivered.Status, undelivered.ErrorCode = delivery.Undelivered, "carrier-blocked"
	handed := sent
	handed.Status = delivery.Handed
	early := delivered
	early.StatusAt = t0.Add(-time.Second) // the receipt's clock behind ours
	tests := []struct {
		name          string
		before, after delivery.Message
		want          delivery.Tally
	}{
		{"send", delivery.Message{}, sent, delivery.Tally{Sent: 1}},
		{"delivered", sent, delivered, delivery.Tally{Delivered: 1, TimeToDelivered: 3 * time.Second}},
		{"undelivered", handed, undelivered, delivery.Tally{Undelivered: 1, Codes: map[string]int64{"carrier-blocked": 1}}},
		{"handed counts nothing", sent, handed, delivery.Tally{}},
		{"final to final counts nothing", delivered, undelivered, delivery.Tally{}},
		{"clock skew gives no negative time", sent, early, delivery.Tally{Delivered: 1}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, delivery.Change(tc.before, tc.after)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestCleanCode(t *testing.T) {
	for in, want := range map[string]string{
		"30007": "30007", "carrier-blocked": "carrier-blocked", "": "other",
		"a b": "other", "x#y": "other", "30007\xff": "other", "0123456789012345678901234": "other",
	} {
		if got := delivery.CleanCode(in); got != want {
			t.Errorf("CleanCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := delivery.DefaultConfig().Validate(); err != nil {
		t.Errorf("default: %v", err)
	}
	for name, mut := range map[string]func(*delivery.Config){
		"window too short":          func(c *delivery.Config) { c.Window = time.Second },
		"window not dividing a day": func(c *delivery.Config) { c.Window = 7 * time.Minute },
		"no shards":                 func(c *delivery.Config) { c.Shards = 0 },
		"too many shards":           func(c *delivery.Config) { c.Shards = 33 },
		"short message retention":   func(c *delivery.Config) { c.MessageRetention = time.Minute },
		"short tally retention":     func(c *delivery.Config) { c.TallyRetention = time.Minute },
	} {
		c := delivery.DefaultConfig()
		mut(&c)
		if c.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestStatusNames(t *testing.T) {
	for s := delivery.Sent; s <= delivery.Failed; s++ {
		got, ok := delivery.ParseStatus(s.String())
		if !ok || got != s {
			t.Errorf("ParseStatus(%q) = %v, %v", s.String(), got, ok)
		}
	}
	if _, ok := delivery.ParseStatus("read"); ok {
		t.Error("ParseStatus accepted an unknown name")
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		env     map[string]string
		want    func(*delivery.Config)
		wantErr []string
	}{
		{env: nil, want: func(*delivery.Config) {}},
		{env: map[string]string{"SMS_DELIVERY_WINDOW": "15m", "SMS_DELIVERY_SHARDS": "8"}, want: func(c *delivery.Config) { c.Window, c.Shards = 15*time.Minute, 8 }},
		{env: map[string]string{"SMS_DELIVERY_WINDOW": "7m"}, wantErr: []string{"SMS_DELIVERY_WINDOW"}},
		{env: map[string]string{"SMS_DELIVERY_WINDOW": "2s"}, wantErr: []string{"SMS_DELIVERY_WINDOW"}},
		{env: map[string]string{"SMS_DELIVERY_SHARDS": "0", "SMS_DELIVERY_WINDOW": "x"}, wantErr: []string{"SMS_DELIVERY_SHARDS", "SMS_DELIVERY_WINDOW"}},
	}
	for _, tc := range tests {
		e := config.New(func(k string) string { return tc.env[k] })
		got := delivery.ConfigFromEnv(e)
		err := e.Err()
		if tc.wantErr == nil {
			want := delivery.DefaultConfig()
			tc.want(&want)
			if err != nil || got != want {
				t.Errorf("%v: %+v, %v; want %+v", tc.env, got, err, want)
			}
			continue
		}
		for _, name := range tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%v: err %v does not name %s", tc.env, err, name)
			}
		}
	}
}
