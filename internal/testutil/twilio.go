package testutil

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
)

// TwilioSignature signs a form body as Twilio documents its
// X-Twilio-Signature: the full URL, then each parameter's name and value
// in name order, HMAC-SHA1 under the auth token, base64. Written from
// Twilio's description, not from the validator the code uses.
func TwilioSignature(token, rawURL string, body []byte) string {
	form, _ := url.ParseQuery(string(body))
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := rawURL
	for _, k := range keys {
		for _, v := range form[k] {
			s += k + v
		}
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
