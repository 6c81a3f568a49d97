package localstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testutil"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
	"github.com/cognito-phone-otp/cognito-phone-otp/localstack/signin"
	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers/console"
)

// signUpText is the English sign-up SMS before its code.
const signUpText = "Your sign-up code is "

// startConfirming runs a stack whose pool confirms sign-ups by SMS code:
// the local "Cognito" encrypts each code under a key it makes in local-kms,
// and the real Custom SMS Sender trigger, queue and worker deliver it.
func startConfirming(t *testing.T, b backend) *local {
	t.Helper()
	kmsURL := testenv.KMSEndpoint(t)
	settings := map[string]string{localstack.EnvKMSEndpoint: kmsURL}
	for k, v := range e2eSettings {
		settings[k] = v
	}
	return start(t, b, settings, func(o *localstack.Options) {
		o.ConfirmSignUpBySMS = true
		cfg := aws.Config{
			Region:      "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
			ConfigSources: []any{serviceEndpoints{
				"KMS": kmsURL, "DynamoDB": testenv.DynamoDBEndpoint(t), "SQS": testenv.SQSEndpoint(t),
			}},
		}
		o.AWS = &cfg
	})
}

// Sign-up confirmation by SMS code against local-kms, on the embedded
// backends and on DynamoDB Local + fauxqs: Cognito's requests, answers and
// errors, each code through the trigger, the queue and the worker to the
// console, and no code in any log line.
func TestConfirmSignUpBySMS(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			l := startConfirming(t, b)
			for _, tc := range []struct {
				name string
				run  func(*testing.T, *local)
			}{
				{"sign up, confirm, sign in", testConfirmAndSignIn},
				{"resend replaces the code", testResendReplaces},
				{"wrong codes are limited", testConfirmAttempts},
				{"resends are bounded", testResendBounded},
				{"unknown user", testConfirmUnknown},
				{"expired code", testConfirmExpired},
			} {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, l) })
			}
			logs := l.logs.String()
			for _, m := range l.allMessages(t) {
				if testutil.HoldsCode(logs, m.Code) {
					t.Errorf("a log line holds the code %s:\n%s", m.Code, logs)
				}
			}
			if m := testutil.FullNumber.FindString(logs); m != "" {
				t.Errorf("a log line holds the full number %s", m)
			}
		})
	}
}

func (l *local) signUpUnconfirmed(t *testing.T, number string) *cip.SignUpOutput {
	t.Helper()
	out, err := l.cip.SignUp(context.Background(), &cip.SignUpInput{
		ClientId: aws.String(l.stack.ClientID()), Username: aws.String(number),
		Password: aws.String("a-password-nobody-keeps-0123456789"),
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if out.UserConfirmed {
		t.Fatal("SignUp confirmed the user; the pool confirms by code")
	}
	checkDelivery(t, out.CodeDeliveryDetails, number)
	return out
}

// checkDelivery: CodeDeliveryDetails as Cognito gives them for an SMS.
func checkDelivery(t *testing.T, d *types.CodeDeliveryDetailsType, number string) {
	t.Helper()
	want := phone.Mask(number) // "+*******0123"
	if d == nil || aws.ToString(d.AttributeName) != "phone_number" || d.DeliveryMedium != types.DeliveryMediumTypeSms || aws.ToString(d.Destination) != want {
		t.Fatalf("CodeDeliveryDetails = %+v, want phone_number, SMS, %s", d, want)
	}
}

func (l *local) confirm(number, code string) error {
	_, err := l.cip.ConfirmSignUp(context.Background(), &cip.ConfirmSignUpInput{
		ClientId: aws.String(l.stack.ClientID()), Username: aws.String(number), ConfirmationCode: aws.String(code),
	})
	return err
}

func (l *local) resend(number string) (*cip.ResendConfirmationCodeOutput, error) {
	return l.cip.ResendConfirmationCode(context.Background(), &cip.ResendConfirmationCodeInput{
		ClientId: aws.String(l.stack.ClientID()), Username: aws.String(number),
	})
}

// signUpCode waits for the n-th SMS to number and checks it is a sign-up code.
func (l *local) signUpCode(t *testing.T, number string, n int) string {
	t.Helper()
	code := l.code(t, number, n)
	if body := l.messages(t, number)[n-1].Body; !strings.HasPrefix(body, signUpText+code+".") {
		t.Fatalf("SMS %d is %q, want the sign-up text", n, body)
	}
	if len(code) != 6 {
		t.Fatalf("code %q: want 6 digits", code)
	}
	return code
}

// wantErr checks err is Cognito's error of type T.
func wantErr[T error](t *testing.T, what string, err error) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("%s: got %v, want %T", what, err, target)
	}
}

func otherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func testConfirmAndSignIn(t *testing.T, l *local) {
	number := number(t)
	l.signUpUnconfirmed(t, number)
	code := l.signUpCode(t, number, 1)
	_, err := l.initiate(number)
	wantErr[*types.UserNotConfirmedException](t, "InitiateAuth before confirming", err)
	wantErr[*types.CodeMismatchException](t, "a wrong code", l.confirm(number, otherCode(code)))
	if err := l.confirm(number, code); err != nil {
		t.Fatalf("ConfirmSignUp with the code: %v", err)
	}
	user, err := l.cip.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(l.stack.PoolID()), Username: aws.String(number)})
	if err != nil {
		t.Fatal(err)
	}
	if user.UserStatus != types.UserStatusTypeConfirmed || attr(user.UserAttributes, "phone_number_verified") != "true" {
		t.Fatalf("after ConfirmSignUp: %s, phone_number_verified %q", user.UserStatus, attr(user.UserAttributes, "phone_number_verified"))
	}
	wantErr[*types.NotAuthorizedException](t, "the code used again", l.confirm(number, code))
	_, err = l.resend(number)
	wantErr[*types.InvalidParameterException](t, "a resend after confirming", err)
	if tok := l.signIn(t, number); aws.ToString(tok.IdToken) == "" {
		t.Fatal("no ID token")
	}
	l.quiet(t, number, 2) // the sign-up code and the sign-in code
}

func attr(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func testResendReplaces(t *testing.T, l *local) {
	number := number(t)
	l.signUpUnconfirmed(t, number)
	first := l.signUpCode(t, number, 1)
	out, err := l.resend(number)
	if err != nil {
		t.Fatalf("ResendConfirmationCode: %v", err)
	}
	checkDelivery(t, out.CodeDeliveryDetails, number)
	second := l.signUpCode(t, number, 2)
	if first != second {
		wantErr[*types.CodeMismatchException](t, "the replaced code", l.confirm(number, first))
	}
	if err := l.confirm(number, second); err != nil {
		t.Fatalf("ConfirmSignUp with the new code: %v", err)
	}
	l.quiet(t, number, 2)
}

func testConfirmAttempts(t *testing.T, l *local) {
	number := number(t)
	l.signUpUnconfirmed(t, number)
	code := l.signUpCode(t, number, 1)
	for range 5 {
		wantErr[*types.CodeMismatchException](t, "a wrong code", l.confirm(number, otherCode(code)))
	}
	// Five wrong answers void the code: even the right one is refused.
	wantErr[*types.LimitExceededException](t, "the right code after five wrong ones", l.confirm(number, code))
	if _, err := l.resend(number); err != nil {
		t.Fatalf("ResendConfirmationCode: %v", err)
	}
	if err := l.confirm(number, l.signUpCode(t, number, 2)); err != nil {
		t.Fatalf("ConfirmSignUp with the new code: %v", err)
	}
}

func testResendBounded(t *testing.T, l *local) {
	number := number(t)
	l.signUpUnconfirmed(t, number)
	// The sign-up's code and four resends: five codes in an hour.
	for i := 1; i <= 4; i++ {
		if _, err := l.resend(number); err != nil {
			t.Fatalf("resend %d: %v", i, err)
		}
	}
	_, err := l.resend(number)
	wantErr[*types.LimitExceededException](t, "a sixth code within the hour", err)
	l.signUpCode(t, number, 5)
	l.quiet(t, number, 5)
}

func testConfirmUnknown(t *testing.T, l *local) {
	number := number(t)
	// PreventUserExistenceErrors: an unknown number is answered as a
	// known one would be, and gets no SMS.
	out, err := l.resend(number)
	if err != nil {
		t.Fatalf("ResendConfirmationCode for an unknown number: %v", err)
	}
	checkDelivery(t, out.CodeDeliveryDetails, number)
	wantErr[*types.CodeMismatchException](t, "ConfirmSignUp of an unknown number", l.confirm(number, "123456"))
	l.quiet(t, number, 0)
}

// Last: it moves the stack's clock a day on.
func testConfirmExpired(t *testing.T, l *local) {
	number := number(t)
	l.signUpUnconfirmed(t, number)
	code := l.signUpCode(t, number, 1)
	l.clock.Advance(24*time.Hour + time.Second)
	wantErr[*types.ExpiredCodeException](t, "a day-old code", l.confirm(number, code))
	if _, err := l.resend(number); err != nil {
		t.Fatalf("ResendConfirmationCode: %v", err)
	}
	if err := l.confirm(number, l.signUpCode(t, number, 2)); err != nil {
		t.Fatalf("ConfirmSignUp with the new code: %v", err)
	}
}

// allMessages is every SMS of the outbox, with its code.
func (l *local) allMessages(t *testing.T) []sms {
	t.Helper()
	b, err := os.ReadFile(l.outbox)
	if err != nil {
		t.Fatal(err)
	}
	var out []sms
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r console.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("outbox line %q: %v", line, err)
		}
		m := sms{Record: r}
		if c := codeRE.FindStringSubmatch(r.Body); c != nil {
			m.Code = c[1]
		}
		out = append(out, m)
	}
	return out
}

// In the pool as template.yaml deploys it (PreSignUp confirms), no code
// is ever sent, so there is none to resend.
func testNoConfirmationCodes(t *testing.T, l *local) {
	number := number(t)
	l.signUp(t, number)
	_, err := l.resend(number)
	wantErr[*types.InvalidParameterException](t, "ResendConfirmationCode", err)
	wantErr[*types.NotAuthorizedException](t, "ConfirmSignUp of a confirmed user", l.confirm(number, "123456"))
}

// seqCodes types the code of each SMS to a number in turn, waiting for
// the next SMS when the client asks for another line.
type seqCodes struct {
	l      *local
	number string
	n      int
	buf    *strings.Reader
}

func (r *seqCodes) Read(p []byte) (int, error) {
	if r.buf == nil || r.buf.Len() == 0 {
		r.n++
		code, err := r.l.waitCode(r.number, r.n)
		if err != nil {
			return 0, err
		}
		r.buf = strings.NewReader(code + "\n")
	}
	return r.buf.Read(p)
}

// The signin client answers the sign-up code, then the sign-in code.
func TestSignInCommandConfirmsSignUp(t *testing.T) {
	l := startConfirming(t, backends[0])
	first := number(t)
	var out, errOut bytes.Buffer
	args := []string{first, "--endpoint", l.stack.URL(), "--client-id", l.stack.ClientID(), "--pool-id", l.stack.PoolID()}
	if code := signin.Run(context.Background(), args, &seqCodes{l: l, number: first}, &out, &errOut); code != 0 {
		t.Fatalf("signin exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"a confirmation code was sent to " + phone.Mask(first) + " by SMS", "Confirmed " + first, "Signed in.", `"phone_number_verified": true`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("signin output lacks %q:\n%s", want, out.String())
		}
	}
	// With --code (the sign-in code) nobody can type the sign-up code.
	other := number(t)
	args = []string{other, "--code", "123456", "--endpoint", l.stack.URL(), "--client-id", l.stack.ClientID(), "--pool-id", l.stack.PoolID()}
	out.Reset()
	errOut.Reset()
	if code := signin.Run(context.Background(), args, strings.NewReader(""), &out, &errOut); code != signin.ExitFailed || !strings.Contains(errOut.String(), "run without --code") {
		t.Errorf("with --code: exit %d, stderr %q", code, errOut.String())
	}
}
