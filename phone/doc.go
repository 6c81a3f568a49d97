// Package phone judges a phone number typed by a user by the whole
// numbering plan: Parse normalises it to E.164 and accepts it under a
// Policy (country allow-list, number type, whether VoIP numbers count). It
// is for where a number enters: PreSignUp, the local stack's and the tools'
// input.
//
// The plan is package plan's: nyaruka/phonenumbers' metadata as generated
// tables and the functions Parse used to call, ported; the parity tests
// here prove Parse answers as it did with phonenumbers. Its regular
// expressions compile on first use, so linking it costs a cold start
// nothing (phonenumbers' package init cost 15 to 20 ms).
//
// A number that comes back from Cognito was judged here at sign-up and is
// checked without the plan: package e164 (shape, country, allow-list) with
// package country's table generated from the plan. CreateAuthChallenge and
// the custom SMS sender use those, never this package.
//
// Its errors never contain a full number, only Mask's form of it, so callers
// may log them. It knows numbering plans, not carriers: it cannot tell
// whether a number was ported or is reachable.
package phone
