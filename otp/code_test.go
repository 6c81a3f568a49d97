package otp_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	randv2 "math/rand/v2"
	"strings"
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
)

// uint64s returns the big-endian bytes NewCode reads for each value.
func uint64s(vs ...uint64) []byte {
	b := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return b
}

// rejectionLimit is the first 64-bit value NewCode must reject for the given
// length: 2^64 rounded down to a multiple of 10^digits, computed here with
// math/big rather than with the uint64 arithmetic under test.
func rejectionLimit(digits int) uint64 {
	space := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	limit := new(big.Int).Sub(two64, new(big.Int).Mod(two64, space))
	return limit.Uint64()
}

func TestNewCodeLength(t *testing.T) {
	tests := []struct {
		digits  int
		wantErr bool
	}{
		{digits: -1, wantErr: true},
		{digits: 0, wantErr: true},
		{digits: 3, wantErr: true},
		{digits: 4},
		{digits: 5},
		{digits: 6},
		{digits: 9},
		{digits: 10},
		{digits: 11, wantErr: true},
		{digits: 20, wantErr: true},
	}
	for _, tc := range tests {
		r := bytes.NewReader(uint64s(0x0123456789abcdef))
		code, err := otp.NewCode(r, tc.digits)
		if tc.wantErr {
			if err == nil {
				t.Errorf("NewCode(%d) = %q, want an error", tc.digits, code)
			}
			if r.Len() != 8 {
				t.Errorf("NewCode(%d) read randomness before refusing the length", tc.digits)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewCode(%d): %v", tc.digits, err)
			continue
		}
		if !otp.IsCodeShaped(code, tc.digits) {
			t.Errorf("NewCode(%d) = %q, want %d decimal digits", tc.digits, code, tc.digits)
		}
	}
}

type codeCase struct {
	name     string
	digits   int
	input    []byte
	want     string
	consumed int // how many bytes NewCode must read
}

func TestNewCodeFromInjectedReader(t *testing.T) {
	// 0x0001020304050607 = 283686952306183.
	const counting = 0x0001020304050607
	tests := []codeCase{
		{name: "6 digits", digits: 6, input: uint64s(counting), want: "306183", consumed: 8},
		{name: "4 digits", digits: 4, input: uint64s(counting), want: "6183", consumed: 8},
		{name: "10 digits", digits: 10, input: uint64s(counting), want: "6952306183", consumed: 8},
		{name: "zero keeps all digits", digits: 6, input: uint64s(0), want: "000000", consumed: 8},
		{name: "leading zeros kept", digits: 6, input: uint64s(42), want: "000042", consumed: 8},
		{name: "leading zeros kept, 10 digits", digits: 10, input: uint64s(7), want: "0000000007", consumed: 8},
		{name: "leading zeros kept, 4 digits", digits: 4, input: uint64s(10_000 + 5), want: "0005", consumed: 8},
		{name: "only the first 8 bytes are used", digits: 6, input: uint64s(1, 2), want: "000001", consumed: 8},
		{
			name:     "all ones is above the limit and rejected",
			digits:   6,
			input:    append(bytes.Repeat([]byte{0xFF}, 8), uint64s(123456)...),
			want:     "123456",
			consumed: 16,
		},
		{
			name:     "several rejections in a row",
			digits:   4,
			input:    append(bytes.Repeat([]byte{0xFF}, 24), uint64s(99)...),
			want:     "0099",
			consumed: 32,
		},
	}
	for digits := otp.MinDigits; digits <= otp.MaxDigits; digits++ {
		limit := rejectionLimit(digits)
		tests = append(tests,
			// limit-1 is the largest value accepted: it is 10^digits-1 mod 10^digits.
			codeCase{name: "largest accepted value", digits: digits, input: uint64s(limit-1, 0),
				want: strings.Repeat("9", digits), consumed: 8},
			// limit itself would map to 0 and favour the low codes: rejected.
			codeCase{name: "smallest rejected value", digits: digits, input: uint64s(limit, 1),
				want: strings.Repeat("0", digits-1) + "1", consumed: 16},
		)
	}
	for _, tc := range tests {
		r := bytes.NewReader(tc.input)
		got, err := otp.NewCode(r, tc.digits)
		if err != nil {
			t.Errorf("%s (%d digits): %v", tc.name, tc.digits, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s (%d digits) = %q, want %q", tc.name, tc.digits, got, tc.want)
		}
		if n := len(tc.input) - r.Len(); n != tc.consumed {
			t.Errorf("%s (%d digits) read %d bytes, want %d", tc.name, tc.digits, n, tc.consumed)
		}
	}
}

func TestNewCodeDeterministic(t *testing.T) {
	draw := func() []string {
		r := randv2.NewChaCha8([32]byte{1, 2, 3})
		var codes []string
		for range 50 {
			c, err := otp.NewCode(r, otp.DefaultDigits)
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, c)
		}
		return codes
	}
	a, b := draw(), draw()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("code %d: %q then %q from the same seeded reader", i, a[i], b[i])
		}
	}
}

var errReader = errors.New("reader broke")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errReader }

func TestNewCodeReaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		r       io.Reader
		wantErr error
	}{
		{name: "empty", r: bytes.NewReader(nil), wantErr: io.EOF},
		{name: "short", r: bytes.NewReader([]byte{1, 2, 3}), wantErr: io.ErrUnexpectedEOF},
		{name: "seven bytes", r: bytes.NewReader(make([]byte, 7)), wantErr: io.ErrUnexpectedEOF},
		// Every value rejected until the reader runs dry: an error, not a loop.
		{name: "only rejected values", r: bytes.NewReader(bytes.Repeat([]byte{0xFF}, 40)), wantErr: io.EOF},
		{name: "rejected then short", r: bytes.NewReader(append(bytes.Repeat([]byte{0xFF}, 8), 1, 2)), wantErr: io.ErrUnexpectedEOF},
		{name: "failing", r: failingReader{}, wantErr: errReader},
	}
	for _, tc := range tests {
		code, err := otp.NewCode(tc.r, otp.DefaultDigits)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: NewCode = %q, %v; want error %v", tc.name, code, err, tc.wantErr)
		}
		if code != "" {
			t.Errorf("%s: NewCode returned code %q with an error", tc.name, code)
		}
	}
}

// TestNewCodeUniform draws 200,000 four-digit codes from crypto/rand and
// checks two chi-square statistics against bounds a fair generator exceeds
// with probability far below 1e-9 (the tail probabilities were computed from
// the regularised incomplete gamma function):
//   - all 10^4 codes, 9,999 degrees of freedom: P(X² > 11,000) ≈ 3.4e-12;
//   - each of the 4 digit positions, 9 degrees of freedom: P(X² > 70) ≈ 1.5e-11,
//     so all four together ≈ 6e-11.
//
// The per-position check catches the usual mistakes (a digit never drawn,
// modulo over too few bytes, a dropped leading zero) with a wide margin: a
// 16-bit source reduced mod 10^4 scores about 1,000 on the first position.
func TestNewCodeUniform(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test")
	}
	const (
		digits    = 4
		draws     = 200_000
		cells     = 10_000
		boundAll  = 11_000.0
		boundEach = 70.0
	)
	r := bufio.NewReaderSize(rand.Reader, 1<<16)
	counts := make([]int, cells)
	var pos [digits][10]int
	for range draws {
		c, err := otp.NewCode(r, digits)
		if err != nil {
			t.Fatal(err)
		}
		if !otp.IsCodeShaped(c, digits) {
			t.Fatalf("NewCode = %q, want %d digits", c, digits)
		}
		n := 0
		for i := 0; i < digits; i++ {
			d := int(c[i] - '0')
			pos[i][d]++
			n = n*10 + d
		}
		counts[n]++
	}
	chi2 := func(observed []int, expected float64) float64 {
		var x float64
		for _, o := range observed {
			d := float64(o) - expected
			x += d * d / expected
		}
		return x
	}
	if x := chi2(counts, draws/cells); x > boundAll {
		t.Errorf("chi-square over all %d codes = %.1f, want <= %.0f (mean %d)", cells, x, boundAll, cells-1)
	}
	for i := range pos {
		if x := chi2(pos[i][:], draws/10); x > boundEach {
			t.Errorf("chi-square of digit position %d = %.1f, want <= %.0f; counts %v", i, x, boundEach, pos[i])
		}
	}
}

func TestIsCodeShaped(t *testing.T) {
	tests := []struct {
		s      string
		digits int
		want   bool
	}{
		{"123456", 6, true},
		{"000000", 6, true},
		{"0042", 4, true},
		{"12345", 6, false},
		{"1234567", 6, false},
		{"12345a", 6, false},
		{"12 456", 6, false},
		{"+12345", 6, false},
		{"-12345", 6, false},
		{"１２３４５６", 6, false}, // full-width digits are not ASCII digits
		{"", 0, true},
		{"", 6, false},
	}
	for _, tc := range tests {
		if got := otp.IsCodeShaped(tc.s, tc.digits); got != tc.want {
			t.Errorf("IsCodeShaped(%q, %d) = %v, want %v", tc.s, tc.digits, got, tc.want)
		}
	}
}

func TestNewID(t *testing.T) {
	id, err := otp.NewID(bytes.NewReader(bytes.Repeat([]byte{0xAB}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("ab", 16); id != want {
		t.Errorf("NewID = %q, want %q", id, want)
	}
	if _, err := otp.NewID(bytes.NewReader(make([]byte, 15))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("NewID(short reader) error = %v, want io.ErrUnexpectedEOF", err)
	}
	// A nil reader means crypto/rand.
	a, err := otp.NewID(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := otp.NewID(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 || a == b {
		t.Errorf("NewID(nil) = %q then %q, want two different 32-character ids", a, b)
	}
}
