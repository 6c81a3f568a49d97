package console_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
)

var at = time.Date(2025, 3, 1, 12, 0, 0, 500, time.FixedZone("IST", 5*3600+1800))

func fixedClock() time.Time { return at }

func readOutbox(t *testing.T, path string) []console.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []console.Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		var r console.Record
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("outbox line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSendPrintsOneLine(t *testing.T) {
	tests := []struct {
		name string
		m    providers.Message
		want string
	}{
		{
			name: "plain",
			m:    providers.Message{ID: "msg-1", To: "+14155550123", Country: "US", Body: "Your sign-in code is 123456"},
			want: `sms id=msg-1 to=+14155550123 body="Your sign-in code is 123456"` + "\n",
		},
		{
			name: "WebOTP body over several lines stays on one",
			m:    providers.Message{ID: "msg-2", To: "+919800000001", Body: "123456 is your code\n\n@example.com #123456"},
			want: `sms id=msg-2 to=+919800000001 body="123456 is your code\n\n@example.com #123456"` + "\n",
		},
		{
			name: "non-ASCII text is printed as is",
			m:    providers.Message{ID: "msg-3", To: "+919800000001", Body: "आपका कोड 123456 है"},
			want: `sms id=msg-3 to=+919800000001 body="आपका कोड 123456 है"` + "\n",
		},
		{
			name: "odd id and number are quoted",
			m:    providers.Message{ID: "", To: "+1 415\n555", Body: `say "hi"`},
			want: `sms id="" to="+1 415\n555" body="say \"hi\""` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p, err := console.New(&buf, "")
			if err != nil {
				t.Fatal(err)
			}
			r, err := p.Send(context.Background(), tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("printed\n%s\nwant\n%s", got, tt.want)
			}
			if want := (providers.Receipt{Provider: "console", MessageID: tt.m.ID}); r != want {
				t.Errorf("receipt = %+v, want %+v", r, want)
			}
		})
	}
}

func TestSendAppendsToOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	var buf bytes.Buffer
	p, err := console.New(&buf, path, console.WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("New did not create an empty outbox: %v, %v", fi, err)
	} else if mode := fi.Mode().Perm(); mode&0o077 != 0 {
		t.Errorf("outbox mode %v: readable by others", mode)
	}
	msgs := []providers.Message{
		{ID: "m1", To: "+14155550123", Body: "code 111111 <b>&"},
		{ID: "m2", To: "+919800000001", Body: "code 222222\n@example.com #222222"},
	}
	for _, m := range msgs {
		if _, err := p.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	want := []console.Record{
		{ID: "m1", To: "+14155550123", Body: "code 111111 <b>&", At: at.UTC()},
		{ID: "m2", To: "+919800000001", Body: "code 222222\n@example.com #222222", At: at.UTC()},
	}
	if diff := cmp.Diff(want, readOutbox(t, path)); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
	raw, _ := os.ReadFile(path)
	wantFirst := `{"id":"m1","to":"+14155550123","body":"code 111111 <b>&","at":"2025-03-01T06:30:00.0000005Z"}` + "\n"
	if first, _, _ := strings.Cut(string(raw), "\n"); first+"\n" != wantFirst {
		t.Errorf("first outbox line\n%s\nwant\n%s", first, wantFirst)
	}

	// A new Provider on the same file appends; a file deleted meanwhile is
	// created again.
	p2, err := console.New(io.Discard, path, console.WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	p2.Send(context.Background(), providers.Message{ID: "m3", To: "+14155550123", Body: "code 333333"})
	if got := len(readOutbox(t, path)); got != 3 {
		t.Errorf("outbox has %d lines, want 3", got)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	p2.Send(context.Background(), providers.Message{ID: "m4", To: "+14155550123", Body: "code 444444"})
	if got := readOutbox(t, path); len(got) != 1 || got[0].ID != "m4" {
		t.Errorf("outbox after delete = %+v, want m4 alone", got)
	}
}

func TestConcurrentSends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	var buf syncBuffer
	p, err := console.New(&buf, path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			m := providers.Message{ID: fmt.Sprintf("m%02d", i), To: "+14155550123", Body: fmt.Sprintf("code %06d", i)}
			if _, err := p.Send(context.Background(), m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	recs := readOutbox(t, path)
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	sort.Strings(lines)
	for i := range n {
		if want := fmt.Sprintf("m%02d", i); i >= len(ids) || ids[i] != want {
			t.Fatalf("outbox ids = %v, want m00..m%02d once each", ids, n-1)
		}
		if want := fmt.Sprintf(`sms id=m%02d to=+14155550123 body="code %06d"`, i, i); i >= len(lines) || lines[i] != want {
			t.Fatalf("printed line %d = %q, want %q", i, lines[i], want)
		}
	}
	if len(ids) != n || len(lines) != n {
		t.Errorf("%d outbox lines, %d printed, want %d each", len(ids), len(lines), n)
	}
}

type syncBuffer = testutil.SyncBuffer

func TestNewErrors(t *testing.T) {
	if _, err := console.New(nil, ""); err == nil {
		t.Error("New(nil, \"\") succeeded")
	}
	missing := filepath.Join(t.TempDir(), "no-such-dir", "outbox.jsonl")
	if _, err := console.New(io.Discard, missing); err == nil || !strings.Contains(err.Error(), "outbox") {
		t.Errorf("New with an outbox in a missing directory: %v, want an outbox error", err)
	}
	if _, err := console.New(io.Discard, "", console.WithClock(nil)); err == nil {
		t.Error("WithClock(nil) accepted")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("terminal gone") }

func TestSendErrorsAreTransient(t *testing.T) {
	p, err := console.New(failWriter{}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Send(context.Background(), providers.Message{ID: "m1", To: "+14155550123", Body: "code 123456"})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Provider != "console" || pe.Kind != providers.Transient || pe.Code != "write" {
		t.Errorf("err = %#v, want a transient console write error", err)
	}
	if strings.Contains(err.Error(), "123456") || strings.Contains(err.Error(), "4155550123") {
		t.Errorf("error %q holds the code or the number", err)
	}

	// The outbox vanishing (its directory removed) fails the send.
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "outbox.jsonl")
	os.Mkdir(filepath.Dir(path), 0o700)
	p, err = console.New(io.Discard, path)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Dir(path))
	_, err = p.Send(context.Background(), providers.Message{ID: "m1"})
	if !errors.As(err, &pe) || pe.Kind != providers.Transient || pe.Code != "outbox" {
		t.Errorf("err = %#v, want a transient outbox error", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	p, _ = console.New(&buf, "")
	if _, err := p.Send(ctx, providers.Message{ID: "m1"}); !errors.Is(err, context.Canceled) || providers.Classify(err) != providers.Transient {
		t.Errorf("cancelled ctx: err = %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("printed %q with a cancelled ctx", buf.String())
	}
}

func TestName(t *testing.T) {
	p, _ := console.New(io.Discard, "")
	if p.Name() != "console" {
		t.Errorf("Name() = %q", p.Name())
	}
}

// A stand-in names the channel and the provider a deployment would use.
func TestAsStandsIn(t *testing.T) {
	var out strings.Builder
	outbox := filepath.Join(t.TempDir(), "outbox.jsonl")
	p, err := console.New(&out, outbox, console.As("whatsapp"), console.WithClock(func() time.Time { return time.Unix(0, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Send(context.Background(), providers.Message{ID: "m1", To: "+919876543210", Body: "code 123456"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "whatsapp" || r.Provider != "whatsapp" {
		t.Errorf("Name %q, receipt %+v", p.Name(), r)
	}
	if want := "whatsapp via=whatsapp id=m1 to=+919876543210 body=\"code 123456\"\n"; out.String() != want {
		t.Errorf("line %q, want %q", out.String(), want)
	}
	raw, err := os.ReadFile(outbox)
	if err != nil {
		t.Fatal(err)
	}
	var rec console.Record
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Channel != "whatsapp" || rec.Provider != "whatsapp" {
		t.Errorf("record %+v (%v)", rec, err)
	}
}
