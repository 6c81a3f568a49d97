package twilio

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio/callback"
)

// Variable names ConfigFromEnv reads; Validate's errors name them.
const (
	EnvAccountSID          = "TWILIO_ACCOUNT_SID"
	EnvAuthToken           = "TWILIO_AUTH_TOKEN"
	EnvFrom                = "TWILIO_FROM"
	EnvMessagingServiceSID = "TWILIO_MESSAGING_SERVICE_SID"
	EnvStatusCallback      = "TWILIO_STATUS_CALLBACK"
	EnvRegion              = "TWILIO_REGION"
	EnvEdge                = "TWILIO_EDGE"
	EnvAPIBaseURL          = "TWILIO_API_BASE_URL"
	// EnvAuthTokenSecret names where the auth token lives, as OTP_SECRET
	// does for the server secret: secretsmanager:, ssm: or plain: (local use
	// only). The sms-worker reads the token from it at start-up into
	// Config.AuthToken; ConfigFromEnv does not read it.
	EnvAuthTokenSecret = "TWILIO_AUTH_TOKEN_SECRET"
)

// Config is one Twilio account and sender.
type Config struct {
	AccountSID string // AC + 32 hex digits
	AuthToken  string // the account's auth token; never logged or echoed

	// Exactly one sender: From (an E.164 number, a short code or an
	// alphanumeric sender ID) or MessagingServiceSID (MG + 32 hex digits).
	// Only with a Messaging Service does Send set ValidityPeriod, so Twilio
	// drops a message whose code has expired while it waited in the queue.
	From                string
	MessagingServiceSID string

	StatusCallback string // optional https URL Twilio posts delivery status to

	// Region (us1, ie1, au1, jp1) and Edge (ashburn, dublin, sydney, ...)
	// select Twilio's regional API host, api.{edge}.{region}.twilio.com.
	// Outside us1 the edge is required and must be the region's own
	// (ie1-dublin, au1-sydney, jp1-tokyo): Twilio retired the edgeless
	// api.{region}.twilio.com hosts on 2026-04-28. Only these fields count:
	// the TWILIO_REGION and TWILIO_EDGE that twilio-go itself would read
	// from the environment are overridden.
	Region, Edge string

	// APIBaseURL replaces the scheme and host of every request, e.g.
	// http://127.0.0.1:PORT for a local fake or a proxy. https, or http to
	// a loopback host only (the auth token travels with every request).
	// Exclusive with Region and Edge.
	APIBaseURL string
}

// ConfigFromEnv reads the TWILIO_* variables; getenv is os.Getenv outside
// tests. It does not validate: New does.
func ConfigFromEnv(getenv func(string) string) Config {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	return Config{
		AccountSID:          get(EnvAccountSID),
		AuthToken:           get(EnvAuthToken),
		From:                get(EnvFrom),
		MessagingServiceSID: get(EnvMessagingServiceSID),
		StatusCallback:      get(EnvStatusCallback),
		Region:              strings.ToLower(get(EnvRegion)),
		Edge:                strings.ToLower(get(EnvEdge)),
		APIBaseURL:          get(EnvAPIBaseURL),
	}
}

// The shapes are checked by hand, not with regexps compiled at init (see
// internal/charclass); each comment gives the pattern it is.

// sid is ^<prefix>[0-9a-fA-F]{32}$, Twilio's resource ids.
func sid(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	return ok && charclass.Hex.Match(rest, 32, 32)
}

// validAuthToken is ^[A-Za-z0-9]+$: twilio-go refuses, before sending, a
// token that is not alphanumeric.
func validAuthToken(s string) bool { return charclass.Alnum.Match(s, 1, len(s)) }

// e164 is ^\+[1-9][0-9]{1,14}$.
func e164(s string) bool { return charclass.PlusNumber(s, 1, 14) }

// alphaSenderChars is the AlphaSender resource's set: A-Z a-z 0-9 space
// - + _ &.
var alphaSenderChars = charclass.New("A-Za-z0-9 +_&-")

// regionEdges maps each processing region to the edges its API host may
// name; nil means any known edge (us1, the default region).
// Sources: twilio.com/docs/global-infrastructure (edge locations, API domain
// migration guide, CLI regional usage).
var regionEdges = map[string][]string{
	"us1": nil,
	"ie1": {"dublin"},
	"au1": {"sydney"},
	"jp1": {"tokyo"},
}

// knownEdges are Twilio's public edge locations.
var knownEdges = []string{
	"ashburn", "umatilla", "dublin", "frankfurt", "sydney",
	"tokyo", "singapore", "sao-paulo", "roaming",
}

// Validate reports every problem, each naming its variable. Values are
// quoted only when they are not secret, and then at most 20 characters.
func (c Config) Validate() error {
	var errs []error
	fail := func(name, why string) { errs = append(errs, fmt.Errorf("%s: %s", name, why)) }
	c.checkAccount(fail)
	switch {
	case c.From == "" && c.MessagingServiceSID == "":
		fail(EnvFrom, fmt.Sprintf("required, or %s instead", EnvMessagingServiceSID))
	case c.From != "" && c.MessagingServiceSID != "":
		fail(EnvFrom, fmt.Sprintf("set either %s or %s, not both", EnvFrom, EnvMessagingServiceSID))
	case c.From != "" && !validSender(c.From):
		fail(EnvFrom, fmt.Sprintf("%.20q is not an E.164 number (+15551234567), a short code or an alphanumeric sender ID (up to 11 characters, at least one letter)", c.From))
	case c.MessagingServiceSID != "" && !sid(c.MessagingServiceSID, "MG"):
		fail(EnvMessagingServiceSID, "must be MG followed by 32 hex digits")
	}
	return errors.Join(errs...)
}

// checkAccount checks all but the sender: what the SMS and the WhatsApp
// senders of one account share.
func (c Config) checkAccount(fail func(name, why string)) {
	switch {
	case c.AccountSID == "":
		fail(EnvAccountSID, "required")
	case !sid(c.AccountSID, "AC"):
		fail(EnvAccountSID, "must be AC followed by 32 hex digits")
	}
	switch {
	case c.AuthToken == "":
		fail(EnvAuthToken, "required")
	case !validAuthToken(c.AuthToken):
		fail(EnvAuthToken, "must hold only letters and digits") // never the value
	}

	if c.StatusCallback != "" {
		if why := callback.Check(c.StatusCallback); why != "" {
			fail(EnvStatusCallback, why)
		}
	}

	if c.APIBaseURL != "" {
		if why := checkBaseURL(c.APIBaseURL); why != "" {
			fail(EnvAPIBaseURL, why)
		}
		if c.Region != "" || c.Edge != "" {
			fail(EnvAPIBaseURL, fmt.Sprintf("set either it or %s/%s, not both: the base URL replaces the regional host", EnvRegion, EnvEdge))
		}
	}
	edges, regionOK := regionEdges[c.Region]
	if c.Region != "" && !regionOK {
		fail(EnvRegion, fmt.Sprintf("%.20q is not a Twilio region (us1, ie1, au1, jp1)", c.Region))
	}
	switch {
	case c.Edge != "" && !slices.Contains(knownEdges, c.Edge):
		fail(EnvEdge, fmt.Sprintf("%.20q is not a Twilio edge (%s)", c.Edge, strings.Join(knownEdges, ", ")))
	case regionOK && edges != nil && c.Edge == "":
		fail(EnvEdge, fmt.Sprintf("required with %s=%s: %s (Twilio no longer serves api.%s.twilio.com)", EnvRegion, c.Region, edges[0], c.Region))
	case regionOK && edges != nil && !slices.Contains(edges, c.Edge):
		fail(EnvEdge, fmt.Sprintf("%s=%s takes %s=%s", EnvRegion, c.Region, EnvEdge, strings.Join(edges, " or ")))
	}
}

func validSender(s string) bool {
	// ^[0-9]{3,8}$ a short code; ^[A-Za-z0-9 +_&-]{1,11}$ with a letter an
	// alphanumeric sender ID.
	return e164(s) || charclass.Digits.Match(s, 3, 8) ||
		(alphaSenderChars.Match(s, 1, 11) && charclass.Letters.Any(s))
}

func checkBaseURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return "must be an absolute URL: https://host[:port] or http://127.0.0.1:port"
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return "http only to a loopback host (the auth token goes with every request): use https"
	case u.User != nil, u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "must be scheme and host only, without credentials, path or query"
	}
	return ""
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String prints the settings with the auth token redacted, so a logged
// Config can't leak it; GoString does the same for %#v.
func (c Config) String() string {
	token := ""
	if c.AuthToken != "" {
		token = "[redacted]"
	}
	return fmt.Sprintf("{AccountSID:%s AuthToken:%s From:%s MessagingServiceSID:%s StatusCallback:%s Region:%s Edge:%s APIBaseURL:%s}",
		c.AccountSID, token, c.From, c.MessagingServiceSID, redactURL(c.StatusCallback), c.Region, c.Edge, c.APIBaseURL)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return "twilio.Config" + c.String() }

// redactURL hides a password in a callback URL (Twilio allows basic-auth
// credentials there).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "[unparsable]"
	}
	return u.Redacted()
}
