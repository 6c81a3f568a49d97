// Package smstext holds the text of the sign-in SMS: one embedded
// text/template per locale (templates/<locale>.tmpl; en, es and hi built
// in), overrides from configuration for countries that deliver only
// registered templates (India's DLT), locale fallback, and SMS segment
// counting for cost estimates.
//
// A rendered message is the template's text, then the Android SMS Retriever
// app hash on its own line (if configured), then the origin-bound line
// "@<domain> #<code>" (if configured), which is always the last line.
//
// It never sends, logs or stores anything, and its errors never contain the
// code.
package smstext
