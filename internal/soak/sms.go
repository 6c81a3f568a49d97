package soak

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"
)

// codeInText finds the code in a sign-in SMS ("Your sign-in code is 123456.").
var codeInText = regexp.MustCompile(`\b[0-9]{4,10}\b`)

// smsBook is every SMS the provider really sent, by number and by code.
type smsBook struct {
	mu      sync.Mutex
	last    map[string][]seen // number -> its latest few SMS
	perCode map[numCode]int   // SMS per code
	codes   map[string]bool   // every code sent, for the log scan
	changed chan struct{}     // closed and replaced on each SMS
	total   int
}

type numCode struct{ to, code string }

type seen struct {
	code string
	at   time.Time
}

func newSMSBook() *smsBook {
	return &smsBook{last: map[string][]seen{}, perCode: map[numCode]int{}, codes: map[string]bool{}, changed: make(chan struct{})}
}

func (b *smsBook) sent(to, body string) {
	code := codeInText.FindString(body)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total++
	b.perCode[numCode{to, code}]++
	b.codes[code] = true
	l := append(b.last[to], seen{code: code, at: time.Now()})
	if len(l) > 4 {
		l = l[len(l)-4:]
	}
	b.last[to] = l
	close(b.changed)
	b.changed = make(chan struct{})
}

// wait returns the newest code sent to to at or after since that is not
// in tried, waiting up to ctx's end for one.
func (b *smsBook) wait(ctx context.Context, to string, since time.Time, tried []string) (string, bool) {
	for {
		b.mu.Lock()
		l, ch := b.last[to], b.changed
		b.mu.Unlock()
		for i := len(l) - 1; i >= 0 && !l[i].at.Before(since); i-- {
			if !slices.Contains(tried, l[i].code) {
				return l[i].code, true
			}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return "", false
		}
	}
}

// count is how many SMS went to to.
func (b *smsBook) count(to string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k, c := range b.perCode {
		if k.to == to {
			n += c
		}
	}
	return n
}

// perCodeHistogram is how many codes got 1, 2, ... SMS, and per number the
// SMS beyond one per code.
func (b *smsBook) perCodeHistogram() (hist map[int]int, extra map[string]int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	hist, extra = map[int]int{}, map[string]int{}
	for k, n := range b.perCode {
		hist[n]++
		if n > 1 {
			extra[k.to] += n - 1
		}
	}
	return hist, extra
}

// beyond is, per number, the SMS beyond bound per code.
func (b *smsBook) beyond(bound int) map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int{}
	for k, n := range b.perCode {
		if n > bound {
			out[k.to] += n - bound
		}
	}
	return out
}

func (b *smsBook) allCodes() map[string]bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]bool, len(b.codes))
	for c := range b.codes {
		out[c] = true
	}
	return out
}

func sortedKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
