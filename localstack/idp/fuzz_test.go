package idp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
)

var fuzzNumber = testutil.FullNumber

// FuzzAPI decodes and runs any operation with any body against a pool with
// one user mid sign-in; @@SESSION@@ in a body becomes that sign-in's live
// session, so the fuzzer works near the answers that may succeed.
// Invariants: no 5xx, tokens only for the right code or the password, and
// no full number or code in the log.
func FuzzAPI(f *testing.F) {
	seeds := map[string]string{
		"InitiateAuth":              `{"AuthFlow":"CUSTOM_AUTH","ClientId":"` + clientID + `","AuthParameters":{"USERNAME":"` + phoneBob + `"}}`,
		"RespondToAuthChallenge":    `{"ClientId":"` + clientID + `","ChallengeName":"CUSTOM_CHALLENGE","Session":"@@SESSION@@","ChallengeResponses":{"USERNAME":"` + phoneAlice + `","ANSWER":"` + wrongCode + `"}}`,
		"SignUp":                    `{"ClientId":"` + clientID + `","Username":"` + phoneBob + `","Password":"` + password + `"}`,
		"ConfirmSignUp":             `{"ClientId":"` + clientID + `","Username":"` + phoneAlice + `","ConfirmationCode":"` + goodCode + `"}`,
		"ResendConfirmationCode":    `{"ClientId":"` + clientID + `","Username":"` + phoneAlice + `"}`,
		"GetUser":                   `{"AccessToken":"not-a-token"}`,
		"GetTokensFromRefreshToken": `{"ClientId":"` + clientID + `","RefreshToken":"x"}`,
		"AdminGetUser":              `{"UserPoolId":"` + poolID + `","Username":"` + phoneAlice + `"}`,
		"ListUsers":                 `{"UserPoolId":"` + poolID + `","Filter":"phone_number = \"` + phoneAlice + `\""}`,
		"AdminUpdateUserAttributes": `{"UserPoolId":"` + poolID + `","Username":"` + phoneAlice + `","UserAttributes":[{"Name":"phone_number","Value":"` + phoneCarol + `"}]}`,
		"RevokeToken":               `{"ClientId":"` + clientID + `","Token":"x"}`,
		"NoSuchOperation":           `{}`,
	}
	for op, body := range seeds {
		f.Add(op, []byte(body))
	}
	f.Add("RespondToAuthChallenge", []byte(strings.Replace(seeds["RespondToAuthChallenge"], `"ANSWER":"`+wrongCode, `"ANSWER":"`+goodCode, 1)))
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		p := newPool(t)
		p.signUp(t, phoneAlice)
		session := aws.ToString(p.initiate(t, phoneAlice, nil).Session)
		body = bytes.ReplaceAll(body, []byte("@@SESSION@@"), []byte(session))
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		p.server.Config.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s: status %d: %s", op, rec.Code, rec.Body)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("AuthenticationResult")) {
			byCode := op == "RespondToAuthChallenge" && bytes.Contains(body, []byte(goodCode))
			byPassword := op == "InitiateAuth" && bytes.Contains(body, []byte(password))
			if !byCode && !byPassword {
				t.Fatalf("%s issued tokens without the code or the password: %s", op, body)
			}
		}
		logs := p.log.String()
		if m := fuzzNumber.FindString(logs); m != "" {
			t.Errorf("log holds a full number %s:\n%s", m, logs)
		}
		if strings.Contains(logs, goodCode) {
			t.Errorf("log holds the code:\n%s", logs)
		}
	})
}
