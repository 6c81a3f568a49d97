package smstext

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name  string
		text  string
		enc   string
		count int
	}{
		{"empty", "", GSM7, 0},
		{"one char", "a", GSM7, 1},
		{"ASCII 160", a(160), GSM7, 1},
		{"ASCII 161", a(161), GSM7, 2},
		{"ASCII 306 is two full parts", a(306), GSM7, 2},
		{"ASCII 307", a(307), GSM7, 3},
		{"ASCII 459", a(459), GSM7, 3},
		{"euro counts 2: 158+2", a(158) + "€", GSM7, 1},
		{"euro counts 2: 159+2", a(159) + "€", GSM7, 2},
		{"brace counts 2", a(159) + "{", GSM7, 2},
		{"9 extension chars x8 + form feed = 146 septets, + 14", strings.Repeat("^{}\\[~]|€", 8) + "\f" + a(14), GSM7, 1},
		{"9 extension chars x8 + form feed = 146 septets, + 15", strings.Repeat("^{}\\[~]|€", 8) + "\f" + a(15), GSM7, 2},
		{"80 euros", strings.Repeat("€", 80), GSM7, 1},
		{"81 euros", strings.Repeat("€", 81), GSM7, 2},
		{"escape not split across parts", a(152) + "€" + a(151), GSM7, 2},
		{"escape not split: spills to a third part", a(152) + "€" + a(152), GSM7, 3},
		{"whole basic alphabet", gsm7Basic, GSM7, 1},
		{"newline and CR are basic", "a\nb\rc", GSM7, 1},
		{"é è ñ ü ¿ ¡ are basic", "é è ñ ü ¿ ¡ Ç à ò ù ì É Ñ Ü", GSM7, 1},
		{"ó is not GSM-7", "código", UCS2, 1},
		{"á is not GSM-7", "está", UCS2, 1},
		{"lowercase ç is not GSM-7", "ça", UCS2, 1},
		{"curly apostrophe is not GSM-7", "Don’t", UCS2, 1},
		{"UCS-2 70", "ó" + a(69), UCS2, 1},
		{"UCS-2 71", "ó" + a(70), UCS2, 2},
		{"UCS-2 134", "ó" + a(133), UCS2, 2},
		{"UCS-2 135", "ó" + a(134), UCS2, 3},
		{"Hindi", "आपका OTP 123456 है।", UCS2, 1},
		{"emoji forces UCS-2", a(10) + "😀", UCS2, 1},
		{"35 emoji are 70 units", strings.Repeat("😀", 35), UCS2, 1},
		{"36 emoji are 72 units", strings.Repeat("😀", 36), UCS2, 2},
		{"emoji counts 2: 68+2", a(68) + "😀", UCS2, 1},
		{"emoji counts 2: 69+2", a(69) + "😀", UCS2, 2},
		{"surrogate pair not split across parts", a(66) + "😀" + a(65), UCS2, 2},
		{"surrogate pair not split: spills to a third part", a(66) + "😀" + a(66), UCS2, 3},
		{"euro in a UCS-2 message counts 1", "ó" + strings.Repeat("€", 69), UCS2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, n := Segments(tt.text)
			if enc != tt.enc || n != tt.count {
				t.Errorf("Segments = %s, %d; want %s, %d", enc, n, tt.enc, tt.count)
			}
		})
	}
}

func TestGSM7Table(t *testing.T) {
	// 128 code points less the escape; 10 in the extension table.
	if n := len([]rune(gsm7Basic)); n != 127 {
		t.Errorf("basic table has %d characters, want 127", n)
	}
	if len(gsm7Cost()) != 137 {
		t.Errorf("cost table has %d characters, want 137 (duplicates?)", len(gsm7Cost()))
	}
}
