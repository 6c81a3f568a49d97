package idp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testTimeout stands in for Cognito's 5-second trigger limit.
const testTimeout = 100 * time.Millisecond

// triggerSteps are the pool's triggers, each with the request that reaches
// it: setup prepares the pool, run makes the request and returns its error.
var triggerSteps = []struct {
	trigger string
	setup   func(t *testing.T, p *pool)
	run     func(t *testing.T, p *pool) error
}{
	{"PreSignUp", func(*testing.T, *pool) {}, runSignUp},
	{"DefineAuthChallenge", signedUp, runInitiate},
	{"CreateAuthChallenge", signedUp, runInitiate},
	{"VerifyAuthChallengeResponse", signedUp, runAnswer},
	{"PostAuthentication", signedUp, runAnswer},
}

func signedUp(t *testing.T, p *pool) { p.signUp(t, phoneAlice) }

func runSignUp(_ *testing.T, p *pool) error {
	_, err := p.api.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), Password: aws.String(password),
	})
	return err
}

func runInitiate(_ *testing.T, p *pool) error {
	_, err := p.initiateErr(phoneAlice, nil)
	return err
}

// runAnswer answers the code correctly, which runs Verify, Define and PostAuthentication.
func runAnswer(t *testing.T, p *pool) error {
	_, err := p.answer(challengeOf(p.initiate(t, phoneAlice, nil)), goodCode, nil)
	return err
}

func TestTriggerTimeoutRetriedThenFails(t *testing.T) {
	for _, step := range triggerSteps {
		t.Run(step.trigger, func(t *testing.T) {
			p := newPool(t, triggerTimeout(testTimeout),
				misbehave(step.trigger, &script{actions: []action{hang, hang, hang, hang}}))
			step.setup(t, p)

			err := step.run(t, p)
			e := asError[*types.UnexpectedLambdaException](t, err)
			if want := step.trigger + " invocation failed due to error "; !strings.HasPrefix(e.ErrorMessage(), want) {
				t.Errorf("message = %q, want prefix %q", e.ErrorMessage(), want)
			}
			if got := p.calls.count(step.trigger); got != 3 {
				t.Errorf("%s attempts = %d, want 3", step.trigger, got)
			}
		})
	}
}

func TestTriggerTimeoutOnceIsRetried(t *testing.T) {
	for _, step := range triggerSteps {
		t.Run(step.trigger, func(t *testing.T) {
			p := newPool(t, triggerTimeout(testTimeout), misbehave(step.trigger, &script{actions: []action{hang}}))
			step.setup(t, p)

			if err := step.run(t, p); err != nil {
				t.Fatalf("request after one timeout: %v", err)
			}
			if got := p.calls.count(step.trigger); got != 2 {
				t.Errorf("%s attempts = %d, want 2", step.trigger, got)
			}
		})
	}
}

func TestTriggerErrorIsNotRetried(t *testing.T) {
	for _, step := range triggerSteps {
		t.Run(step.trigger, func(t *testing.T) {
			p := newPool(t, misbehave(step.trigger, &script{actions: []action{fail, fail}}))
			step.setup(t, p)

			err := step.run(t, p)
			wantError[*types.UserLambdaValidationException](t, err, step.trigger+" failed with error OTP_X.")
			if got := p.calls.count(step.trigger); got != 1 {
				t.Errorf("%s attempts = %d, want 1", step.trigger, got)
			}
		})
	}
}

func TestTriggerPanicIsAFunctionError(t *testing.T) {
	for _, step := range triggerSteps {
		t.Run(step.trigger, func(t *testing.T) {
			p := newPool(t, misbehave(step.trigger, &script{actions: []action{explode}}))
			step.setup(t, p)

			err := step.run(t, p)
			e := asError[*types.UserLambdaValidationException](t, err)
			if want := step.trigger + " failed with error "; !strings.HasPrefix(e.ErrorMessage(), want) {
				t.Errorf("message = %q, want prefix %q", e.ErrorMessage(), want)
			}
			// The server survives, and the trigger answers next time.
			if err := step.run(t, p); err != nil {
				t.Fatalf("request after the panic: %v", err)
			}
		})
	}
}

// ClientMetadata reaches the triggers the Cognito API reference lists for
// each operation: SignUp's and AdminCreateUser's reach PreSignUp;
// InitiateAuth's reaches neither Define nor Create; RespondToAuthChallenge's
// reaches Verify, Define, Create and PostAuthentication.
func TestClientMetadataRouting(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	meta := func(op string) map[string]string { return map[string]string{"op": op} }

	if _, err := p.api.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), Password: aws.String(password),
		ClientMetadata: meta("SignUp"),
	}); err != nil {
		t.Fatal(err)
	}
	ch := challengeOf(p.initiate(t, phoneAlice, meta("InitiateAuth")))
	out, err := p.answer(ch, wrongCode, meta("Respond-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.answer(challengeOf(out), goodCode, meta("Respond-2")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(phoneBob), ClientMetadata: meta("AdminCreateUser"),
	}); err != nil {
		t.Fatal(err)
	}

	c := p.calls
	preSignUp, define, create := c.preSignUp.all(), c.define.all(), c.create.all()
	verify, postAuth := c.verify.all(), c.postAuth.all()
	if len(preSignUp) != 2 || len(define) != 3 || len(create) != 2 || len(verify) != 2 || len(postAuth) != 1 {
		t.Fatalf("calls: preSignUp %d, define %d, create %d, verify %d, postAuth %d; want 2, 3, 2, 2, 1",
			len(preSignUp), len(define), len(create), len(verify), len(postAuth))
	}
	tests := []struct {
		name string
		got  map[string]string
		want map[string]string
	}{
		{"PreSignUp on SignUp", preSignUp[0].Request.ClientMetadata, meta("SignUp")},
		{"Define on InitiateAuth", define[0].Request.ClientMetadata, nil},
		{"Create on InitiateAuth", create[0].Request.ClientMetadata, nil},
		{"Verify, round 1", verify[0].Request.ClientMetadata, meta("Respond-1")},
		{"Define after round 1", define[1].Request.ClientMetadata, meta("Respond-1")},
		{"Create for round 2", create[1].Request.ClientMetadata, meta("Respond-1")},
		{"Verify, round 2", verify[1].Request.ClientMetadata, meta("Respond-2")},
		{"Define after round 2", define[2].Request.ClientMetadata, meta("Respond-2")},
		{"PostAuthentication", postAuth[0].Request.ClientMetadata, meta("Respond-2")},
		{"PreSignUp on AdminCreateUser", preSignUp[1].Request.ClientMetadata, meta("AdminCreateUser")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("clientMetadata (-want +got):\n%s", diff)
			}
		})
	}
	if got := preSignUp[1].TriggerSource; got != "PreSignUp_AdminCreateUser" {
		t.Errorf("AdminCreateUser triggerSource = %q, want PreSignUp_AdminCreateUser", got)
	}
}

// signInEvents is testdata/signin_events.json: what each trigger receives
// in a sign-in with one wrong answer and then the right one.
type signInEvents struct {
	Define   []events.CognitoEventUserPoolsDefineAuthChallenge `json:"define"`
	Create   []events.CognitoEventUserPoolsCreateAuthChallenge `json:"create"`
	Verify   []events.CognitoEventUserPoolsVerifyAuthChallenge `json:"verify"`
	PostAuth []events.CognitoEventUserPoolsPostAuthentication  `json:"postAuthentication"`
}

func TestEventShapes(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	su, err := p.api.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(phoneAlice), Password: aws.String(password),
		ValidationData: attributes(map[string]string{"invite": "abc"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(su.UserSub)
	if !uuidShape.MatchString(sub) {
		t.Fatalf("UserSub = %q, want a UUID", sub)
	}

	t.Run("PreSignUp", func(t *testing.T) {
		ev := p.calls.preSignUp.last(t)
		got := ev.CognitoEventUserPoolsHeader
		want := events.CognitoEventUserPoolsHeader{
			Version: "1", TriggerSource: "PreSignUp_SignUp", Region: region, UserPoolID: poolID, UserName: sub,
			CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: got.CallerContext.AWSSDKVersion, ClientID: clientID},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		if got := ev.Request.UserAttributes["phone_number"]; got != phoneAlice {
			t.Errorf("userAttributes.phone_number = %q, want %q", got, phoneAlice)
		}
		if diff := cmp.Diff(map[string]string{"invite": "abc"}, ev.Request.ValidationData); diff != "" {
			t.Errorf("validationData (-want +got):\n%s", diff)
		}
	})

	ch := challengeOf(p.initiate(t, phoneAlice, nil))
	if ch.username != sub {
		t.Errorf("ChallengeParameters USERNAME = %q, want the internal username %q", ch.username, sub)
	}
	out, err := p.answer(ch, wrongCode, map[string]string{"round": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.ChallengeParameters["round"] != "2" {
		t.Fatalf("after a wrong answer: challenge %q, parameters %v; want CUSTOM_CHALLENGE round 2",
			out.ChallengeName, out.ChallengeParameters)
	}
	out, err = p.answer(challengeOf(out), goodCode, map[string]string{"round": "2"})
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("after the right answer: challenge %q, want tokens", out.ChallengeName)
	}

	var want signInEvents
	if err := json.Unmarshal(fixture(t, "signin_events.json", map[string]string{"sub": sub, "phone": phoneAlice}), &want); err != nil {
		t.Fatal(err)
	}
	got := signInEvents{
		Define: p.calls.define.all(), Create: p.calls.create.all(),
		Verify: p.calls.verify.all(), PostAuth: p.calls.postAuth.all(),
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("trigger events (-want +got):\n%s", diff)
	}
}
