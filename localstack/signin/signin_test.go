package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// endpointMark stands for the fake's URL in args and golden files.
const endpointMark = "{{endpoint}}"

// cmdline is the usual command line: the number, the fake's endpoint and the
// client id, then extra.
func cmdline(extra ...string) []string {
	return append([]string{testPhone, "--endpoint", endpointMark, "--client-id", testClientID}, extra...)
}

func refusalErr(msg string) apiError { return apiError{"UserLambdaValidationException", msg} }

func TestRun(t *testing.T) {
	const (
		SignUp   = "SignUp"
		Initiate = "InitiateAuth"
		Respond  = "RespondToAuthChallenge"
	)
	tests := []struct {
		name     string
		args     []string
		stdin    string
		env      string // OTP_LOCAL_CLIENT_ID
		setup    func(t *testing.T, f *fakePool)
		wantExit int
		wantOps  []string
		check    func(t *testing.T, f *fakePool)
	}{
		{
			name:     "signup then sign in",
			args:     cmdline("--code", testCode),
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond},
			check:    checkSignUpThenSignIn,
		},
		{
			name:     "already registered",
			args:     cmdline("--code", testCode),
			setup:    func(t *testing.T, f *fakePool) { f.registered = true },
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "wrong then right code on stdin",
			args:     cmdline(),
			stdin:    "000000\n\n 123 456 \n",
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond, Respond},
			check:    checkWrongThenRight,
		},
		{
			// Neither a short code nor letters spend one of the 3 answers.
			name:     "codes that cannot be right are not sent",
			args:     cmdline(),
			stdin:    "12345\n12345a\n1234567\n123456\n",
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "--code of the wrong length is not sent",
			args:     cmdline("--code", "12345"),
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate},
		},
		{
			name:     "wrong code with --code",
			args:     cmdline("--code", "000000"),
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "stdin ends before a code",
			args:     cmdline(),
			stdin:    "000000\n",
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "too many wrong codes",
			args:     cmdline(),
			stdin:    "111111\n222222\n333333\n",
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond, Respond, Respond},
		},
		{
			name: "rate limited",
			args: cmdline("--code", testCode),
			setup: func(t *testing.T, f *fakePool) {
				f.errs[Initiate] = refusalErr("CreateAuthChallenge failed with error OTP_RATE_LIMITED retryAfter=42.")
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate},
		},
		{
			name: "daily cap wait in hours",
			args: cmdline("--code", testCode),
			setup: func(t *testing.T, f *fakePool) {
				f.errs[Initiate] = refusalErr("CreateAuthChallenge failed with error OTP_RATE_LIMITED retryAfter=7230.")
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate},
		},
		{
			name: "attempts exhausted",
			args: cmdline("--code", testCode),
			setup: func(t *testing.T, f *fakePool) {
				f.errs[Initiate] = refusalErr("CreateAuthChallenge failed with error OTP_ATTEMPTS_EXHAUSTED retryAfter=95.")
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate},
		},
		{
			name: "number refused at sign-up",
			args: []string{"+44 20 7946 0958", "--endpoint", endpointMark, "--client-id", testClientID, "--code", testCode},
			setup: func(t *testing.T, f *fakePool) {
				f.errs[SignUp] = refusalErr("PreSignUp failed with error OTP_NUMBER_NOT_ALLOWED.")
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp},
			check: func(t *testing.T, f *fakePool) {
				var req signUpRequest
				mustDecode(t, f.Calls()[0].body, &req)
				if req.Username != "+442079460958" {
					t.Errorf("SignUp Username = %q, want the landline in E.164 for the pool to judge", req.Username)
				}
			},
		},
		{
			name: "refused while answering",
			args: cmdline("--code", testCode),
			setup: func(t *testing.T, f *fakePool) {
				f.errs[Respond] = refusalErr("VerifyAuthChallengeResponse failed with error OTP_UNAVAILABLE.")
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name: "trigger failure without a code",
			args: cmdline("--code", testCode),
			setup: func(t *testing.T, f *fakePool) {
				f.errs[SignUp] = refusalErr("PreSignUp failed with error Task timed out after 5.00 seconds.")
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp},
		},
		{
			name:     "no-signup on an unregistered number gets the decoy",
			args:     cmdline("--no-signup", "--code", testCode),
			wantExit: ExitFailed,
			wantOps:  []string{Initiate, Respond},
		},
		{
			name:     "no-signup on a registered number",
			args:     cmdline("--no-signup", "--code", testCode),
			setup:    func(t *testing.T, f *fakePool) { f.registered = true },
			wantExit: ExitOK,
			wantOps:  []string{Initiate, Respond},
		},
		{
			name:     "flags before the number",
			args:     []string{"--endpoint", endpointMark, "--code", testCode, "--client-id", testClientID, "+1 (415) 555-0123"},
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "client id from the environment",
			args:     []string{testPhone, "--endpoint", endpointMark, "--code", testCode},
			env:      testClientID,
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "unknown client id",
			args:     []string{testPhone, "--endpoint", endpointMark, "--client-id", "nosuchclient", "--code", testCode},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp},
		},
		{
			name:     "missing client id for real AWS",
			args:     []string{testPhone, "--endpoint", "", "--code", testCode},
			env:      testClientID, // the local stack's setting is not used for AWS
			wantExit: ExitUsage,
		},
		{name: "phone without plus", args: append([]string{"14155550123"}, cmdline()[1:]...), wantExit: ExitUsage},
		{name: "phone with letters", args: append([]string{"+1 415 CALL ME"}, cmdline()[1:]...), wantExit: ExitUsage},
		{name: "phone too short", args: append([]string{"+1415"}, cmdline()[1:]...), wantExit: ExitUsage},
		{name: "no phone", args: cmdline()[1:3], wantExit: ExitUsage},
		{name: "two phones", args: append(cmdline(), "+14155550124"), wantExit: ExitUsage},
		{name: "unknown flag", args: cmdline("--password", "x"), wantExit: ExitUsage},
		{name: "bad pool id", args: cmdline("--pool-id", "../etc"), wantExit: ExitUsage},
		{name: "bad endpoint", args: []string{testPhone, "--endpoint", "localhost:9229", "--client-id", testClientID}, wantExit: ExitUsage},
		{name: "help", args: []string{"-h"}, wantExit: ExitOK},
		{
			name:     "verified against the JWKS",
			args:     cmdline("--code", testCode, "--pool-id", testPoolID),
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name: "tampered ID token",
			args: cmdline("--code", testCode, "--pool-id", testPoolID),
			setup: func(t *testing.T, f *fakePool) {
				c := idClaims(f.issuer(), testClientID)
				c["phone_number"] = "+14155550199"
				f.idToken = tamper(t, f.idToken, c)
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name: "ID token signed by another key",
			args: cmdline("--code", testCode, "--pool-id", testPoolID),
			setup: func(t *testing.T, f *fakePool) {
				f.idToken = signJWT(t, otherKey(), testKid, idClaims(f.issuer(), testClientID))
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name: "ID token with an unknown kid",
			args: cmdline("--code", testCode, "--pool-id", testPoolID),
			setup: func(t *testing.T, f *fakePool) {
				f.idToken = signJWT(t, signingKey(), "other-kid", idClaims(f.issuer(), testClientID))
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name: "ID token for another client",
			args: cmdline("--code", testCode, "--pool-id", testPoolID),
			setup: func(t *testing.T, f *fakePool) {
				f.idToken = signJWT(t, signingKey(), testKid, idClaims(f.issuer(), "someoneelse"))
			},
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "JWKS of another pool",
			args:     cmdline("--code", testCode, "--pool-id", "us-east-1_Other"),
			wantExit: ExitFailed,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
		{
			name:     "show tokens",
			args:     cmdline("--code", testCode, "--show-tokens"),
			wantExit: ExitOK,
			wantOps:  []string{SignUp, Initiate, Respond},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Always set, so a developer's own setting cannot leak in.
			t.Setenv(ClientIDEnv, tc.env)
			f := newFakePool(t)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, endpointMark, f.URL)
			}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), args, strings.NewReader(tc.stdin), &stdout, &stderr)

			got := fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", code, stdout.String(), stderr.String())
			// Tokens embed the fake's URL, so they change with its port.
			got = strings.NewReplacer(f.idToken, "{{id token}}", f.accessToken, "{{access token}}",
				testRefresh, "{{refresh token}}", f.URL, endpointMark).Replace(got)
			compareGolden(t, got)
			if code != tc.wantExit {
				t.Errorf("exit = %d, want %d", code, tc.wantExit)
			}
			if diff := cmp.Diff(tc.wantOps, ops(f.Calls())); diff != "" {
				t.Errorf("operations (-want +got):\n%s", diff)
			}
			if !strings.Contains(strings.Join(args, " "), "--show-tokens") {
				checkNoSecrets(t, f, stdout.String()+stderr.String())
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

// checkSignUpThenSignIn checks the requests of a whole sign-in, member by
// member.
func checkSignUpThenSignIn(t *testing.T, f *fakePool) {
	t.Helper()
	calls := f.Calls()
	var su signUpRequest
	mustDecode(t, calls[0].body, &su)
	if su.Username != testPhone || su.ClientId != testClientID {
		t.Errorf("SignUp Username, ClientId = %q, %q", su.Username, su.ClientId)
	}
	if len(su.Password) != 32 || !strings.HasSuffix(su.Password, "Aa1!") {
		t.Errorf("SignUp Password is %d characters (%q suffix), want 32 ending in Aa1!", len(su.Password), su.Password[len(su.Password)-4:])
	}
	var ia initiateAuthRequest
	mustDecode(t, calls[1].body, &ia)
	wantIA := initiateAuthRequest{AuthFlow: "CUSTOM_AUTH", AuthParameters: map[string]string{"USERNAME": testPhone}, ClientId: testClientID}
	if diff := cmp.Diff(wantIA, ia); diff != "" {
		t.Errorf("InitiateAuth (-want +got):\n%s", diff)
	}
	var rc respondRequest
	mustDecode(t, calls[2].body, &rc)
	wantRC := respondRequest{
		ChallengeName:      "CUSTOM_CHALLENGE",
		ChallengeResponses: map[string]string{"USERNAME": testUsername, "ANSWER": testCode},
		ClientId:           testClientID,
		Session:            f.Sessions()[0],
	}
	if diff := cmp.Diff(wantRC, rc); diff != "" {
		t.Errorf("RespondToAuthChallenge (-want +got):\n%s", diff)
	}
}

// checkWrongThenRight checks that each answer carries the newest session
// and that blank lines are not sent.
func checkWrongThenRight(t *testing.T, f *fakePool) {
	t.Helper()
	var answers, sessions []string
	for _, c := range f.Calls() {
		if c.op != "RespondToAuthChallenge" {
			continue
		}
		var rc respondRequest
		mustDecode(t, c.body, &rc)
		answers = append(answers, rc.ChallengeResponses["ANSWER"])
		sessions = append(sessions, rc.Session)
	}
	if diff := cmp.Diff([]string{"000000", "123 456"}, answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(f.Sessions(), sessions); diff != "" {
		t.Errorf("sessions answered with (-issued +sent):\n%s", diff)
	}
}

// checkNoSecrets fails if the output holds a token, a session or the
// password.
func checkNoSecrets(t *testing.T, f *fakePool, out string) {
	t.Helper()
	secrets := append([]string{f.idToken, f.accessToken, testRefresh}, f.Sessions()...)
	for _, c := range f.Calls() {
		if c.op == "SignUp" {
			var su signUpRequest
			mustDecode(t, c.body, &su)
			secrets = append(secrets, su.Password)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("output contains a secret %.20q...", s)
		}
	}
	// A token's signature alone is as good as a leak of the token.
	for _, tok := range []string{f.idToken, f.accessToken} {
		if sig := tok[strings.LastIndex(tok, ".")+1:]; strings.Contains(out, sig) {
			t.Errorf("output contains a token signature")
		}
	}
}

func ops(calls []call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.op)
	}
	return out
}

func mustDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// compareGolden compares got with testdata/<test name>.golden, or writes it
// with -update.
func compareGolden(t *testing.T, got string) {
	t.Helper()
	name := strings.ReplaceAll(strings.TrimPrefix(t.Name(), "TestRun/"), "/", "_")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
	}
}

// cancelOnPrompt cancels a context when the prompt is written, standing in
// for a user who presses Ctrl-C at the prompt.
type cancelOnPrompt struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelOnPrompt) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "Enter the code") {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

func TestRunCanceledAtPrompt(t *testing.T) {
	t.Setenv(ClientIDEnv, "")
	f := newFakePool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdin, typing := io.Pipe() // a terminal nobody types into
	defer typing.Close()
	stdout := &cancelOnPrompt{cancel: cancel}
	var stderr bytes.Buffer
	args := []string{testPhone, "--endpoint", f.URL, "--client-id", testClientID}
	if code := Run(ctx, args, stdin, stdout, &stderr); code != ExitFailed {
		t.Errorf("exit = %d, want %d", code, ExitFailed)
	}
	if want := "signin: wait for code: context canceled\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

func TestParseRefusal(t *testing.T) {
	lambda := func(msg string) error {
		return fmt.Errorf("answer challenge: %w", &types.UserLambdaValidationException{Message: aws.String(msg)})
	}
	tests := []struct {
		name   string
		err    error
		want   refusal
		wantOK bool
	}{
		{"rate limited", lambda("CreateAuthChallenge failed with error OTP_RATE_LIMITED retryAfter=42."), refusal{"OTP_RATE_LIMITED", 42}, true},
		{"no retryAfter", lambda("PreSignUp failed with error OTP_NUMBER_NOT_ALLOWED."), refusal{"OTP_NUMBER_NOT_ALLOWED", 0}, true},
		{"any trigger", lambda("VerifyAuthChallengeResponse failed with error OTP_UNAVAILABLE."), refusal{"OTP_UNAVAILABLE", 0}, true},
		{"not ours", lambda("PreSignUp failed with error Task timed out."), refusal{}, false},
		{"other exception", &types.NotAuthorizedException{Message: aws.String("failed with error OTP_RATE_LIMITED")}, refusal{}, false},
		{"nil", nil, refusal{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseRefusal(tc.err)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("parseRefusal = %+v, %v; want %+v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestHumanSeconds(t *testing.T) {
	tests := []struct {
		in   int
		want string
	}{
		{0, "0 seconds"},
		{1, "1 second"},
		{59, "59 seconds"},
		{60, "1 minute"},
		{61, "1 minute 1 second"},
		{180, "3 minutes"},
		{3599, "59 minutes 59 seconds"},
		{3600, "1 hour"},
		{3601, "1 hour 1 minute"}, // rounded up: never early
		{7230, "2 hours 1 minute"},
		{86399, "24 hours"},
	}
	for _, tc := range tests {
		if got := humanSeconds(tc.in); got != tc.want {
			t.Errorf("humanSeconds(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantPos  []string
		wantCode string
	}{
		{"number first", []string{"+1", "--code", "1"}, []string{"+1"}, "1"},
		{"number last", []string{"--code", "1", "+1"}, []string{"+1"}, "1"},
		{"number between", []string{"--code", "1", "+1", "--no-signup"}, []string{"+1"}, "1"},
		{"after --", []string{"--code", "1", "--", "+1", "--no-signup"}, []string{"+1", "--no-signup"}, "1"},
		{"none", []string{"--code", "1"}, nil, "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o options
			pos, err := parseInterspersed(newFlagSet(&o, io.Discard), tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantPos, pos); diff != "" || o.code != tc.wantCode {
				t.Errorf("positional (-want +got):\n%s\ncode = %q, want %q", diff, o.code, tc.wantCode)
			}
		})
	}
}

// With nothing listening, the hint is the whole message: the SDK's error
// names the URL three times and helps nobody.
func TestNothingListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close()
	var stdout, stderr bytes.Buffer
	code := RunEnv(context.Background(), []string{testPhone, "--endpoint", endpoint, "--code", testCode}, nil, &stdout, &stderr, nil)
	want := "signin: nothing answers at " + endpoint + ": is otp-local running there (go run ./cmd/otp-local)?\n"
	if code != ExitFailed || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), ExitFailed, want)
	}
}
