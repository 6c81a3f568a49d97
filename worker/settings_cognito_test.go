package worker

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// SMS_TEMPLATE_<KIND>_<LOCALE> sets a Cognito SMS kind's text; a locale
// alone stays the sign-in text's.
func TestCognitoTemplatesFromEnv(t *testing.T) {
	env := map[string]string{EnvProviders: "sns"}
	environ := []string{
		"SMS_TEMPLATE_EN=Code {{.Code}}",
		"SMS_TEMPLATE_SIGNUP_EN=Sign-up code {{.Code}}",
		"SMS_TEMPLATE_ForgotPassword_PT_BR=Reset {{.Code}}",
		"SMS_TEMPLATE_ACCOUNTTAKEOVER_ES=Aviso",
	}
	s, err := SettingsFromEnv(withRequired(env), environ)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"signUp":          {"en": "Sign-up code {{.Code}}"},
		"forgotPassword":  {normLocale("pt-BR"): "Reset {{.Code}}"},
		"accountTakeOver": {"es": "Aviso"},
	}
	if d := cmp.Diff(want, s.CognitoTemplates); d != "" {
		t.Errorf("CognitoTemplates (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"en": "Code {{.Code}}"}, s.Templates); d != "" {
		t.Errorf("Templates (-want +got):\n%s", d)
	}
}

func TestCognitoTemplateWithoutLocale(t *testing.T) {
	_, err := SettingsFromEnv(withRequired(map[string]string{EnvProviders: "sns"}), []string{"SMS_TEMPLATE_SIGNUP=x {{.Code}}"})
	if err == nil || !strings.Contains(err.Error(), "SMS_TEMPLATE_SIGNUP") || !strings.Contains(err.Error(), "<KIND>_<LOCALE>") {
		t.Fatalf("err = %v, want one naming SMS_TEMPLATE_SIGNUP and the <KIND>_<LOCALE> form", err)
	}
}
