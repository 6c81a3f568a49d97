package signin

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// refusalRE matches a trigger refusal in a UserLambdaValidationException
// message, whichever trigger sent it (docs/app-developers.md, section 4).
var refusalRE = regexp.MustCompile(`failed with error (OTP_[A-Z_]+)(?: retryAfter=(\d+))?`)

// refusal is a trigger's OTP_* refusal.
type refusal struct {
	code       string
	retryAfter int // seconds; 0 when not given
}

// parseRefusal finds the refusal in err, if it is one.
func parseRefusal(err error) (refusal, bool) {
	var e *types.UserLambdaValidationException
	if !errors.As(err, &e) {
		return refusal{}, false
	}
	m := refusalRE.FindStringSubmatch(e.ErrorMessage())
	if m == nil {
		return refusal{}, false
	}
	r := refusal{code: m[1]}
	if m[2] != "" {
		r.retryAfter, _ = strconv.Atoi(m[2]) // \d+; only overflow fails, and 0 then says "not given"
	}
	return r, true
}

// refusalWords says what each code means to a user. The codes are the
// pool's wire contract (README, docs/app-developers.md), written out here
// rather than imported, because a client knows the pool only by the wire.
var refusalWords = map[string]string{
	"OTP_RATE_LIMITED":         "this number asked for too many codes.",
	"OTP_ATTEMPTS_EXHAUSTED":   "the code's answers are used up.",
	"OTP_CAP_REACHED":          "SMS sign-in is busy (a country or service-wide cap is reached). Try again later.",
	"OTP_COUNTRY_NOT_ALLOWED":  "the pool does not send codes to this number's country.",
	"OTP_NUMBER_NOT_ALLOWED":   "the pool does not send codes to this number. Use a mobile number in E.164.",
	"OTP_NUMBER_NOT_CANONICAL": "the number is not written in canonical E.164 (no leading 0 after the country code, no separators).",
	"OTP_UNAVAILABLE":          "something went wrong on the pool's side and nothing was sent. Try again.",
	"OTP_BAD_REQUEST":          "the pool's triggers are misconfigured; a user cannot fix this.",
}

func (r refusal) String() string {
	words, ok := refusalWords[r.code]
	if !ok {
		words = "the pool refused the request."
	}
	s := fmt.Sprintf("refused with %s: %s", r.code, words)
	switch {
	case r.retryAfter == 0:
	case r.code == "OTP_ATTEMPTS_EXHAUSTED":
		s += " Request a new code in " + humanSeconds(r.retryAfter) + "."
	default:
		s += " Try again in " + humanSeconds(r.retryAfter) + "."
	}
	return s
}

// report prints why the sign-in failed. Refusals and a failed sign-in are
// what a user would be told; anything else is printed whole, for debugging.
// endpoint is where the pool was called ("" for AWS).
func report(w io.Writer, err error, endpoint string) {
	var (
		notAuth *types.NotAuthorizedException
		lambda  *types.UserLambdaValidationException
		spent   errCodesSpent
	)
	r, isRefusal := parseRefusal(err)
	switch {
	case errors.As(err, &spent):
		fmt.Fprintf(w, "signin: %v.\n", spent)
	case isRefusal:
		fmt.Fprintf(w, "signin: %s\n", r)
	case errors.As(err, &lambda):
		fmt.Fprintf(w, "signin: a trigger refused the request: %s\n", lambda.ErrorMessage())
	case errors.As(err, &notAuth):
		fmt.Fprintf(w, "signin: sign-in failed: %s\n"+
			"Too many wrong codes, an expired session, or an account without a phone number. Start a new sign-in.\n",
			notAuth.ErrorMessage())
	case errors.Is(err, syscall.ECONNREFUSED):
		// The SDK's error repeats the URL three times; the hint says it all.
		if endpoint == "" {
			fmt.Fprintf(w, "signin: nothing answers at Cognito's endpoint: check the network and --region.\n")
			break
		}
		fmt.Fprintf(w, "signin: nothing answers at %s: is otp-local running there (go run ./cmd/otp-local)?\n", endpoint)
	default:
		fmt.Fprintf(w, "signin: %v\n", err)
	}
}

// secondsParam reads a challenge parameter that counts seconds, in words.
func secondsParam(p map[string]string, name string) string {
	v, ok := p[name]
	if !ok {
		return "(not given)"
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Sprintf("%q seconds (not a number of seconds)", v)
	}
	return humanSeconds(n)
}

// humanSeconds writes n seconds as a person would say it: seconds up to a
// minute, then minutes, then hours (a daily cap's wait can run for hours).
// Past an hour it rounds up to the minute, so whoever waits that long is
// never early.
func humanSeconds(n int) string {
	if n >= 3600 {
		n = (n + 59) / 60 * 60
	}
	h, m, s := n/3600, n%3600/60, n%60
	switch {
	case n < 60:
		return plural(s, "second")
	case n < 3600 && s == 0:
		return plural(m, "minute")
	case n < 3600:
		return plural(m, "minute") + " " + plural(s, "second")
	case m == 0:
		return plural(h, "hour")
	default:
		return plural(h, "hour") + " " + plural(m, "minute")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
