package smstext

import (
	"sync"
	"unicode/utf16"
)

// Encoding names returned by Segments.
const (
	GSM7 = "GSM-7"
	UCS2 = "UCS-2"
)

// Segment capacities: one part alone, or each part of a concatenated
// message (the user data header takes 6 bytes of the 140).
const (
	gsm7Single = 160 // septets
	gsm7Part   = 153
	ucs2Single = 70 // UTF-16 code units
	ucs2Part   = 67
)

// gsm7Basic is the GSM 03.38 (3GPP TS 23.038) default alphabet, in table
// order 0x00 to 0x7F. 0x1B is the escape to the extension table, not a
// character, so it is left out. Note what is and is not here: é, è, ù, ì, ò,
// à, Ä, Ö, Ñ, Ü, ä, ö, ñ, ü, ¡, ¿, Ç (capital only) are; á, í, ó, ú, ç, and
// curly quotes are not, and any of those makes the whole message UCS-2.
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅå" +
	"Δ_ΦΓΛΩΠΨΣΘΞ" + "ÆæßÉ" +
	" !\"#¤%&'()*+,-./" +
	"0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNO" +
	"PQRSTUVWXYZÄÖÑÜ§" +
	"¿abcdefghijklmno" +
	"pqrstuvwxyzäöñüà"

// gsm7Ext is the default extension table: each costs two septets (escape
// and character). \f is 0x0A (page break).
const gsm7Ext = "\f^{}\\[~]|€"

// gsm7Cost is built on first use, not at package init.
var gsm7Cost = sync.OnceValue(func() map[rune]int {
	m := make(map[rune]int, 137)
	for _, r := range gsm7Basic {
		m[r] = 1
	}
	for _, r := range gsm7Ext {
		m[r] = 2
	}
	return m
})

// Segments reports how text travels as SMS: "GSM-7" when every character is
// in the GSM 03.38 default alphabet or its extension table, else "UCS-2";
// and the number of segments (message parts) it takes, which is what
// providers bill.
//
// GSM-7 holds 160 septets in one part, 153 per part when concatenated; an
// extension character (€ { } [ ] ~ \ | ^ and form feed) costs 2 septets.
// UCS-2 holds 70 UTF-16 code units in one part, 67 per part; a character
// outside the Basic Multilingual Plane (most emoji) is a surrogate pair and
// costs 2. Parts are filled greedily and, as Android and the major providers
// do, an escape sequence or a surrogate pair is never split across two parts,
// so a part may carry one unit less than its capacity. Empty text is 0
// segments.
//
// Providers may transliterate or use national language shift tables
// (Turkish, Spanish, Portuguese, Indian languages); those can only lower the
// count, so this is an upper bound for them.
func Segments(text string) (encoding string, count int) {
	if text == "" {
		return GSM7, 0
	}
	costs := make([]int, 0, len(text))
	gsm, cost := true, gsm7Cost()
	for _, r := range text {
		c, ok := cost[r]
		if !ok {
			gsm = false
			break
		}
		costs = append(costs, c)
	}
	single, part := gsm7Single, gsm7Part
	if !gsm {
		encoding, single, part = UCS2, ucs2Single, ucs2Part
		costs = costs[:0]
		for _, r := range text {
			costs = append(costs, utf16.RuneLen(r))
		}
	} else {
		encoding = GSM7
	}
	total := 0
	for _, c := range costs {
		total += c
	}
	if total <= single {
		return encoding, 1
	}
	count, used := 1, 0
	for _, c := range costs {
		if used+c > part {
			count++
			used = 0
		}
		used += c
	}
	return encoding, count
}
