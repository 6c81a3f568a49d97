// Package callback checks a Twilio status callback URL. It is apart from
// package twilio so the receipts function, which validates callbacks
// against the same URL, checks it by the same rules without linking
// twilio-go's REST API.
package callback

import (
	"net/url"
	"strings"
)

// Check says why s can't be a status callback URL, or "" when it can:
// Twilio wants an absolute https URL with a valid host name, no
// underscores. The URL may hold credentials, so the answer never echoes it.
func Check(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "https":
		return "must be an https URL"
	case u.Hostname() == "":
		return "must name a host"
	case strings.Contains(u.Hostname(), "_"):
		return "host must not contain underscores (Twilio refuses them)"
	}
	return ""
}
