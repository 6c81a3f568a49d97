package localstack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/localstack"
)

// minimal is a template with every property the loader reads.
const minimal = `
Parameters:
  Ttl:
    Type: Number
    Default: 5
    MinValue: 3
    MaxValue: 15
  Existence:
    Type: String
    Default: ENABLED
    AllowedValues: [ENABLED, LEGACY]
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [phone_number]
      Policies:
        PasswordPolicy:
          MinimumLength: 20
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      ExplicitAuthFlows: [ALLOW_CUSTOM_AUTH]
      PreventUserExistenceErrors: !Ref Existence
      ReadAttributes: [phone_number, phone_number_verified]
      WriteAttributes: [locale, name]
      AuthSessionValidity: {Ref: Ttl}
      AccessTokenValidity: 30
      IdTokenValidity: 2
      RefreshTokenValidity: 7
      TokenValidityUnits:
        AccessToken: minutes
`

func TestLoadTemplate(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		want      localstack.PoolSettings
	}{
		{"defaults", nil, localstack.PoolSettings{
			MinPasswordLength: 20, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}, PreventUserExistenceErrors: "ENABLED",
			ReadAttributes: []string{"phone_number", "phone_number_verified"}, WriteAttributes: []string{"locale", "name"},
			AuthSessionValidity: 5 * time.Minute, AccessTokenValidity: 30 * time.Minute, IDTokenValidity: 2 * time.Hour,
			RefreshTokenValidity: 7 * 24 * time.Hour,
		}},
		{"overrides", map[string]string{"Ttl": "15", "Existence": "LEGACY"}, localstack.PoolSettings{
			MinPasswordLength: 20, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}, PreventUserExistenceErrors: "LEGACY",
			ReadAttributes: []string{"phone_number", "phone_number_verified"}, WriteAttributes: []string{"locale", "name"},
			AuthSessionValidity: 15 * time.Minute, AccessTokenValidity: 30 * time.Minute, IDTokenValidity: 2 * time.Hour,
			RefreshTokenValidity: 7 * 24 * time.Hour,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := localstack.LoadTemplate([]byte(minimal), tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("LoadTemplate (-want +got):\n%s", d)
			}
		})
	}
}

// Properties left out get Cognito's defaults, and an SRP flow (the default)
// is not something the local pool serves.
func TestLoadTemplateCognitoDefaults(t *testing.T) {
	const bare = `
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [phone_number]
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      ExplicitAuthFlows: [ALLOW_CUSTOM_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
`
	got, err := localstack.LoadTemplate([]byte(bare), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := localstack.PoolSettings{
		MinPasswordLength: 8, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		PreventUserExistenceErrors: "LEGACY", AuthSessionValidity: 3 * time.Minute,
		AccessTokenValidity: time.Hour, IDTokenValidity: time.Hour, RefreshTokenValidity: 30 * 24 * time.Hour,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("LoadTemplate (-want +got):\n%s", d)
	}
}

func TestLoadTemplateRefuses(t *testing.T) {
	tests := []struct {
		name, yaml string
		overrides  map[string]string
		want       string
	}{
		{"unknown parameter", minimal, map[string]string{"Nope": "1"}, "parameter Nope: the template has no such parameter"},
		{"below MinValue", minimal, map[string]string{"Ttl": "2"}, "parameter Ttl=2: want at least 3"},
		{"not a number", minimal, map[string]string{"Ttl": "five"}, "parameter Ttl=five: want a number"},
		{"not allowed", minimal, map[string]string{"Existence": "OFF"}, "want one of ENABLED, LEGACY"},
		{"GetAtt", strings.Replace(minimal, "{Ref: Ttl}", "!GetAtt Pool.Arn", 1), nil, "AuthSessionValidity: only a literal or a !Ref"},
		{"Ref to a resource", strings.Replace(minimal, "{Ref: Ttl}", "!Ref Pool", 1), nil, "AuthSessionValidity: !Ref Pool is not a parameter"},
		{"no client", minimal[:strings.Index(minimal, "  Client:")], nil, "no AWS::Cognito::UserPoolClient resource"},
		{"email sign-in", strings.Replace(minimal, "[phone_number]", "[email]", 1), nil, "UsernameAttributes [email]"},
		{"MaxValue accepted", minimal, map[string]string{"Ttl": "15", "Existence": "ENABLED"}, ""},
		{"bad unit", strings.Replace(minimal, "AccessToken: minutes", "AccessToken: weeks", 1), nil, `TokenValidityUnits.AccessToken "weeks"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := localstack.LoadTemplate([]byte(tt.yaml), tt.overrides)
			if tt.want == "" {
				if err != nil {
					t.Errorf("LoadTemplate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadTemplate error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
