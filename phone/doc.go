// Package phone turns a phone number typed by a user into a normalised E.164
// number that we are willing to text, under a Policy (country allow-list,
// whether VoIP numbers count), and masks numbers for logs and public views.
//
// Its errors never contain a full number, only Mask's form of it, so callers
// may log them. It knows numbering plans (via github.com/nyaruka/phonenumbers),
// not carriers: it cannot tell whether a number was ported or is reachable.
package phone
