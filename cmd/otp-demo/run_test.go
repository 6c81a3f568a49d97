package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{name: "auto", args: []string{"-auto"}, wantOut: []string{"sms id=", "to=+14155550123", "-> correct", "signed in"}},
		{name: "three wrong answers", stdin: "000000\n000001\n000002\n", wantCode: 1,
			wantOut: []string{"(same code as before: no new SMS)", "too many wrong answers"}, wantErr: "sign-in failed"},
		{name: "no input", wantCode: 1, wantErr: "run with -auto"},
		// The typed number is judged where it enters, at sign-up (Create
		// checks only its shape and country).
		{name: "landline refused", args: []string{"-auto", "-phone", "+442079460000"}, wantCode: 1,
			wantErr: "PreSignUp failed with error OTP_NUMBER_NOT_ALLOWED"},
		{name: "bad flag", args: []string{"-nope"}, wantCode: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tc.args, strings.NewReader(tc.stdin), &out, &errOut)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out.String(), errOut.String())
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if tc.wantErr != "" && !strings.Contains(errOut.String(), tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, errOut.String())
			}
		})
	}
}
