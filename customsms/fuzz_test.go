package customsms_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
)

// sealedPrefix marks what fakeDecrypter opens: the fuzz targets check the
// event's decoding and refusals, not KMS (harness_test.go covers KMS).
const sealedPrefix = "sealed:"

type fakeDecrypter struct{}

func (fakeDecrypter) Decrypt(_ context.Context, ct []byte, _ string) ([]byte, error) {
	pt, ok := bytes.CutPrefix(ct, []byte(sealedPrefix))
	if !ok {
		return nil, errors.New("not sealed by the test")
	}
	return pt, nil
}

type memQueue struct {
	mu   sync.Mutex
	msgs []schema.CognitoSMS
}

func (q *memQueue) EnqueueCognito(_ context.Context, m schema.CognitoSMS) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, m)
	return nil
}

var fuzzNumber = testutil.FullNumber

// FuzzHandle: a refused event enqueues nothing; an accepted one enqueues
// one job, to the event's number, whose sealed secret is the decrypted
// code; neither the code nor the full number reaches an error or the logs.
func FuzzHandle(f *testing.F) {
	paths, err := filepath.Glob("testdata/events/*.json")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds (%v)", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		secret := "482913"
		if strings.Contains(p, "AdminCreateUser") {
			secret = "Tmp#Pass w0rd!"
		}
		sealed := base64.StdEncoding.EncodeToString([]byte(sealedPrefix + secret))
		f.Add(bytes.ReplaceAll(b, []byte("ENCRYPTED_BY_TEST"), []byte(sealed)))
		f.Add(b)
	}
	kr, err := otp.NewKeyring([]byte("customsms-fuzz-secret-0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, payload []byte) {
		var ev customsms.Event
		if err := json.Unmarshal(payload, &ev); err != nil {
			return // the Lambda runtime refuses it before the handler
		}
		logs := &testutil.SyncBuffer{}
		q := &memQueue{}
		h, err := customsms.New(defaultConfig(), fakeDecrypter{}, mem.New(func() time.Time { return now }), q, staticKeys{kr},
			customsms.Env{Now: func() time.Time { return now }, Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		_, herr := h.Handle(context.Background(), ev)
		var code string
		if ct, err := base64.StdEncoding.DecodeString(ev.Request.Code); err == nil {
			code = strings.TrimPrefix(string(ct), sealedPrefix)
		}
		leaks := logs.String()
		if herr != nil {
			leaks += herr.Error()
			var r *customsms.Refusal
			if !errors.As(herr, &r) {
				t.Errorf("refusal %v is not a *Refusal", herr)
			}
			if len(q.msgs) != 0 {
				t.Fatalf("refused (%v) but %d jobs enqueued", herr, len(q.msgs))
			}
		}
		if m := fuzzNumber.FindString(leaks); m != "" {
			t.Errorf("logs or error hold a full number %s:\n%s", m, leaks)
		}
		if len(code) >= 4 && testutil.HoldsCode(leaks, code) && !bytes.Contains(payload, []byte(code)) {
			t.Errorf("logs or error hold the code %q:\n%s", code, leaks)
		}
		if herr != nil {
			return
		}
		if len(q.msgs) != 1 {
			t.Fatalf("accepted, %d jobs enqueued", len(q.msgs))
		}
		m := q.msgs[0]
		s, err := m.Open(kr)
		if err != nil {
			t.Fatalf("the enqueued job does not open: %v", err)
		}
		if m.Kind != schema.KindAccountTakeOver && s.Code != code {
			t.Errorf("job carries %q, the event's code is %q", s.Code, code)
		}
		if m.Kind == schema.KindAccountTakeOver && s != (schema.CognitoSecret{}) {
			t.Errorf("an account-takeover notice carries a secret %+v", s)
		}
	})
}
