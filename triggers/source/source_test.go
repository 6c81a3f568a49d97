package source_test

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/source"
)

func TestHas(t *testing.T) {
	tests := []struct {
		set  source.Set
		in   string
		want bool
	}{
		{source.PreSignUp, "PreSignUp_SignUp", true},
		{source.PreSignUp, "PreSignUp_AdminCreateUser", true},
		{source.PreSignUp, "PreSignUp_ExternalProvider", true},
		{source.PreSignUp, "PostConfirmation_ConfirmSignUp", false},
		{source.Define, "DefineAuthChallenge_Authentication", true},
		{source.Define, "PreSignUp_SignUp", false},
		{source.Define, "", false},
		{source.Create, "CreateAuthChallenge_Authentication", true},
		{source.Create, "createauthchallenge_authentication", false},
		{source.Verify, "VerifyAuthChallengeResponse_Authentication", true},
		{source.PostAuthentication, "PostAuthentication_Authentication", true},
		{source.PostAuthentication, "PreAuthentication_Authentication", false},
	}
	for _, tc := range tests {
		if got := tc.set.Has(tc.in); got != tc.want {
			t.Errorf("%s.Has(%q) = %v, want %v", tc.set.Trigger, tc.in, got, tc.want)
		}
	}
}
