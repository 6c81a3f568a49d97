package otp_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// scriptedSecret answers Get with the next value or error of its script.
type scriptedSecret struct {
	mu     sync.Mutex
	script []scripted
	calls  int
	ctxs   []context.Context
}

type scripted struct {
	value []byte
	err   error
}

func (s *scriptedSecret) Get(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ctxs = append(s.ctxs, ctx)
	step := s.script[s.calls]
	s.calls++
	return step.value, step.err
}

type ctxKey struct{}

func TestKeySourceDerivesOnlyOnChange(t *testing.T) {
	errGet := errors.New("secrets manager unavailable")
	const short = "too-short-secret"
	steps := []struct {
		name    string
		step    scripted
		wantErr error  // errors.Is target; nil means success
		wantID  string // key id of the returned ring
		// sameAs is the index of an earlier step whose *Keyring must be
		// returned again, or -1 for a newly derived one.
		sameAs int
	}{
		{name: "first value derives", step: scripted{value: []byte(secretOld)}, wantID: keyIDOld, sameAs: -1},
		{name: "same value reuses", step: scripted{value: []byte(secretOld)}, wantID: keyIDOld, sameAs: 0},
		{name: "getter error is wrapped", step: scripted{err: errGet}, wantErr: errGet},
		{name: "after an error the cache stands", step: scripted{value: []byte(secretOld)}, wantID: keyIDOld, sameAs: 0},
		{name: "unusable secret is an error", step: scripted{value: []byte(short)}, wantErr: errAny},
		{name: "after a bad secret the cache stands", step: scripted{value: []byte(secretOld)}, wantID: keyIDOld, sameAs: 0},
		{name: "new value derives", step: scripted{value: []byte(secretNew)}, wantID: keyIDNew, sameAs: -1},
		{name: "new value reused", step: scripted{value: []byte(secretNew)}, wantID: keyIDNew, sameAs: 6},
		{name: "back to the old value derives again", step: scripted{value: []byte(secretOld)}, wantID: keyIDOld, sameAs: -1},
		{name: "same bytes in another slice reuse", step: scripted{value: []byte(string([]byte(secretOld)))}, wantID: keyIDOld, sameAs: 8},
		{name: "rotation JSON derives", step: scripted{value: []byte(`{"current":"` + secretNew + `","previous":["` + secretOld + `"]}`)}, wantID: keyIDNew, sameAs: -1},
	}
	src := &scriptedSecret{}
	for _, s := range steps {
		src.script = append(src.script, s.step)
	}
	ks := otp.NewKeySource(src)
	ctx := context.WithValue(context.Background(), ctxKey{}, "request")

	rings := make([]*otp.Keyring, len(steps))
	seen := map[*otp.Keyring]int{}
	for i, s := range steps {
		kr, err := ks.Keyring(ctx)
		rings[i] = kr
		if s.wantErr != nil {
			if err == nil {
				t.Errorf("step %d (%s): no error", i, s.name)
			} else if s.wantErr != errAny && !errors.Is(err, s.wantErr) {
				t.Errorf("step %d (%s): error %v does not wrap %v", i, s.name, err, s.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), short) {
				t.Errorf("step %d (%s): error quotes the secret: %v", i, s.name, err)
			}
			if kr != nil {
				t.Errorf("step %d (%s): keyring returned with an error", i, s.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, s.name, err)
		}
		if got := kr.CurrentKeyID(); got != s.wantID {
			t.Errorf("step %d (%s): key id %s, want %s", i, s.name, got, s.wantID)
		}
		if s.sameAs >= 0 {
			if kr != rings[s.sameAs] {
				t.Errorf("step %d (%s): derived a new keyring, want the one from step %d", i, s.name, s.sameAs)
			}
		} else if j, ok := seen[kr]; ok {
			t.Errorf("step %d (%s): returned the keyring of step %d, want a new one", i, s.name, j)
		}
		seen[kr] = i
	}
	if src.calls != len(steps) {
		t.Errorf("Get called %d times, want once per Keyring call (%d)", src.calls, len(steps))
	}
	for i, c := range src.ctxs {
		if c.Value(ctxKey{}) != "request" {
			t.Errorf("Get call %d did not receive the caller's context", i)
		}
	}
}

// errAny marks a step that must fail without naming which error.
var errAny = errors.New("any error")

// sharedBuffer hands out the same backing array every time, the way a
// careless cache might; KeySource must notice the contents changed.
type sharedBuffer struct{ buf []byte }

func (s *sharedBuffer) Get(context.Context) ([]byte, error) { return s.buf, nil }

func TestKeySourceCopiesTheSecret(t *testing.T) {
	src := &sharedBuffer{buf: []byte(secretOld)}
	ks := otp.NewKeySource(src)
	first, err := ks.Keyring(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	copy(src.buf, secretNew) // same length, mutated in place
	second, err := ks.Keyring(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if second == first || second.CurrentKeyID() != keyIDNew {
		t.Errorf("after the secret changed in place: key %s (same ring: %v), want a new ring with key %s",
			second.CurrentKeyID(), second == first, keyIDNew)
	}
}

func TestKeySourceConcurrent(t *testing.T) {
	ks := otp.NewKeySource(otp.StaticSecret(secretOld))
	want, err := ks.Keyring(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			for range 50 {
				kr, err := ks.Keyring(context.Background())
				if err != nil {
					errs <- err
					return
				}
				if kr != want {
					errs <- errors.New("a concurrent call derived a second keyring")
					return
				}
				id, mac := kr.MAC(challengeID, "123456")
				if !kr.CheckMAC(id, mac, challengeID, "123456") {
					errs <- errors.New("MAC does not verify")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestStaticSecret(t *testing.T) {
	got, err := otp.StaticSecret("value").Get(context.Background())
	if err != nil || string(got) != "value" {
		t.Errorf("StaticSecret.Get = %q, %v", got, err)
	}
}
