// Package plan judges a phone number in international form by the whole
// numbering plan of github.com/nyaruka/phonenumbers without linking it: a
// port of the few functions package phone used (Parse of a '+' number,
// Format E164, IsValidNumber, GetRegionCodeForNumber, GetNumberType) over
// static tables generated from phonenumbers' metadata (go generate;
// package gen). Nothing runs at package init: each of the plan's regular
// expressions is compiled when a number first needs it, so a function's
// start pays nothing and a number pays for its own calling code's patterns.
//
// Tests compare every answer with phonenumbers' own (example numbers of
// every region and type, national prefixes, random digits of every calling
// code and length, a fuzz target); after upgrading phonenumbers, run
// `go generate ./phone/plan`, and the tests show whether the port still
// agrees.
package plan
