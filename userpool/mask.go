package userpool

import "strings"

// MaskPhone hides all but the last four digits of a phone number, keeping a
// leading "+": "+15555550123" becomes "+*******0123". Characters other than
// digits are dropped; a number of four digits or fewer is hidden entirely.
func MaskPhone(phone string) string {
	if phone == "" {
		return ""
	}
	prefix := ""
	if phone[0] == '+' {
		prefix = "+"
	}
	var digits []byte
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) <= 4 {
		return prefix + stars(len(digits))
	}
	return prefix + stars(len(digits)-4) + string(digits[len(digits)-4:])
}

// SafeUsername returns username for logs and errors, masked with MaskPhone
// when it looks like a phone number (pools where the phone number is the
// username or an alias).
func SafeUsername(username string) string {
	if looksLikePhone(username) {
		return MaskPhone(username)
	}
	return username
}

// looksLikePhone reports whether s is an optional "+" and 7 to 15 digits.
func looksLikePhone(s string) bool {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) < 7 || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func stars(n int) string { return strings.Repeat("*", n) }
