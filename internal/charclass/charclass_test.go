package charclass_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass/charclasstest"
)

func TestMatchIsTheAnchoredPattern(t *testing.T) {
	tests := []struct {
		spec     string
		min, max int
		seeds    []string
	}{
		{"A-Za-z0-9_:/+-", 1, 256, []string{"+14155550123", "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-abc"}},
		{"A-Za-z0-9._:-", 1, 128, []string{"SM0123456789abcdef", "a.b_c:d-e"}},
		{"0-9", 0, 2, []string{"12"}},
		{"-a-c", 1, 3, []string{"-ab", "c-"}},
		{"0-9a-f", 32, 32, []string{strings.Repeat("0123456789abcdef", 2)}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			s := charclass.New(tc.spec)
			pattern := "^[" + tc.spec + "]{" + strconv.Itoa(tc.min) + "," + strconv.Itoa(tc.max) + "}$"
			charclasstest.Same(t, pattern, func(v string) bool { return s.Match(v, tc.min, tc.max) }, tc.max, tc.seeds...)
			charclasstest.Same(t, "["+tc.spec+"]", s.Any, tc.max, tc.seeds...)
		})
	}
}

func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{{"", 0}, {"abc", 3}, {"ab:c", 2}, {":", 0}, {"aé", 1}} {
		if got := charclass.New("a-z").Span(tc.s); got != tc.want {
			t.Errorf("Span(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestNewPanicsOnABadSpec(t *testing.T) {
	for _, spec := range []string{"z-a", "a-é"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%q) did not panic", spec)
				}
			}()
			charclass.New(spec)
		}()
	}
}

func TestPlusNumber(t *testing.T) {
	for _, b := range [][2]int{{1, 14}, {6, 14}, {4, 13}} {
		pattern := `^\+[1-9][0-9]{` + strconv.Itoa(b[0]) + "," + strconv.Itoa(b[1]) + "}$"
		charclasstest.Same(t, pattern, func(s string) bool { return charclass.PlusNumber(s, b[0], b[1]) }, 16, "+14155550123", "+4420", "+1")
	}
}

func TestTag(t *testing.T) {
	tests := []struct {
		pattern string
		tag     charclass.Tag
	}{
		{`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`, charclass.Tag{First: charclass.Letters, FirstMin: 2, FirstMax: 3, Rest: charclass.Alnum, RestMin: 2, RestMax: 8}},
		{`^[a-z]{2,3}(-[a-z0-9]{1,8})*$`, charclass.Tag{First: charclass.New("a-z"), FirstMin: 2, FirstMax: 3, Rest: charclass.New("a-z0-9"), RestMin: 1, RestMax: 8}},
		{`^[a-z]{2,3}(-[a-z0-9]{0,2})*$`, charclass.Tag{First: charclass.New("a-z"), FirstMin: 2, FirstMax: 3, Rest: charclass.New("a-z0-9"), RestMax: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			charclasstest.Same(t, tc.pattern, tc.tag.Match, 40, "en", "pt-br", "zh-hant-tw", "sr-latn-rs1", "en-", "de-1996-x")
		})
	}
}
